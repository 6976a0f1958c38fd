import ArgumentParser
import ParFetch

struct CrawlingOptions: ParsableArguments {
    @Flag(help: "Crawl: the inputs are seeds, and the links (a and area href) of every HTML page fetched are followed, breadth-first, each distinct URL once.")
    var crawl = false

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "With --crawl: links followed from the nearest seed at most (0: the seeds only). (default: \(CrawlSettings().depth))", valueName: "n"))
    var depth: Int?

    @Option(help: "With --crawl: which links are followed, and which redirects: the seed's host and port, its registrable domain (Public Suffix List), the seed's directory and below, or any http(s) URL. (default: host)")
    var scope: CrawlScope.Kind?

    @Option(help: ArgumentHelp(
        "With --crawl: follow only URLs matching this POSIX extended regular expression (repeatable: any may match).",
        valueName: "regex"))
    var include: [String] = []

    @Option(help: ArgumentHelp(
        "With --crawl: never follow URLs matching this regular expression (repeatable; wins over --include).",
        valueName: "regex"))
    var exclude: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "With --crawl: records written at most (over the runs of a resumed crawl).", valueName: "n"))
    var maxPages: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "With --crawl: URLs of one host (name and port) fetched at most.", valueName: "n"))
    var maxPagesPerHost: Int?

    @Option(help: ArgumentHelp(
        "Read this sitemap (or sitemap index; gzip or not) and fetch the pages it lists, as seeds of the crawl with --crawl, else as the list (repeatable).",
        valueName: "url"))
    var sitemap: [String] = []

    @Flag(help: "With --crawl: also seed the crawl with the sitemaps each seed host's robots.txt lists (Sitemap: lines), or its /sitemap.xml.")
    var sitemaps = false

    /// Whether the run is a crawl: --crawl, or a sitemap read as the list.
    var crawls: Bool { crawl || !sitemap.isEmpty }

    func validate() throws {
        if !crawl {
            let given = [("--depth", depth != nil), ("--scope", scope != nil), ("--include", !include.isEmpty),
                         ("--exclude", !exclude.isEmpty), ("--max-pages", maxPages != nil),
                         ("--max-pages-per-host", maxPagesPerHost != nil), ("--sitemaps", sitemaps)]
            if let (flag, _) = given.first(where: \.1) {
                throw ValidationError("\(flag) applies to crawls: add --crawl")
            }
        }
        if let depth, !(0...1_000).contains(depth) {
            throw ValidationError.outOfRange("--depth", mustBe: "from 0 to 1000", got: depth)
        }
        if let maxPages, maxPages < 1 {
            throw ValidationError.outOfRange("--max-pages", mustBe: "at least 1", got: maxPages)
        }
        if let maxPagesPerHost, maxPagesPerHost < 1 {
            throw ValidationError.outOfRange("--max-pages-per-host", mustBe: "at least 1", got: maxPagesPerHost)
        }
        _ = try patterns()
        _ = try sitemapURLs()
    }

    private func sitemapURLs() throws -> [CheckedURL] {
        try sitemap.map { text in
            switch Result(catching: { () throws(FetchError) in try CheckedURL(text) }) {
            case .success(let url): return url
            case .failure(let error): throw ValidationError("--sitemap \(text): \(error.message)")
            }
        }
    }

    /// The crawl's settings, or nil for a list run. `output`: the records' file, beside
    /// which the frontier is kept (nil: standard output, and a temporary frontier).
    /// `seedHosts`: a URL of each seed host, for --sitemaps.
    func settings(output: String?, resuming: Bool, seedHosts: () throws -> [CheckedURL]) throws -> CrawlSettings? {
        guard crawls else { return nil }
        var settings = CrawlSettings()
        // A sitemap read as the list: its pages only, wherever they are.
        settings.depth = crawl ? depth ?? CrawlSettings().depth : 0
        let (include, exclude) = try patterns()
        settings.scope = CrawlScope(kind: crawl ? scope ?? .host : .any, include: include, exclude: exclude)
        settings.sitemaps = try sitemapURLs().map(SitemapSource.sitemap)
        if sitemaps {
            settings.sitemaps += try seedHosts().map(SitemapSource.robotsTxt(of:))
        }
        settings.maxPages = maxPages
        settings.maxPagesPerHost = maxPagesPerHost
        settings.frontierPath = output.map(CrawlSettings.frontierPath(besideOutput:))
        settings.resuming = resuming
        return settings
    }

    private func patterns() throws -> (include: [URLPattern], exclude: [URLPattern]) {
        func compile(_ flag: String, _ expressions: [String]) throws -> [URLPattern] {
            try expressions.map { expression in
                do {
                    return try URLPattern(expression)
                } catch {
                    throw ValidationError("\(flag): \(error)")
                }
            }
        }
        return (try compile("--include", include), try compile("--exclude", exclude))
    }
}

extension CrawlScope.Kind: ExpressibleByArgument {}
