/// Where a crawl's sitemap seeds come from (`CrawlSettings.sitemaps`).
public enum SitemapSource: Sendable, Hashable {
    /// A sitemap, or a sitemap index, at this URL.
    case sitemap(CheckedURL)
    /// The sitemaps the robots.txt of this URL's host lists (`Sitemap:` lines), or its
    /// `/sitemap.xml` when it lists none.
    case robotsTxt(of: CheckedURL)
}

/// What reading a crawl's sitemaps gave.
public struct SitemapReport: Sendable, Equatable {
    /// Sitemap files read (indexes included).
    public var files = 0
    /// Distinct page URLs they listed that are new to the crawl.
    public var urls = 0
    /// One line for each sitemap that could not be read (the first 20).
    public var failures: [String] = []
}

/// Reads a crawl's sitemaps, before its first page is fetched, and appends the pages they
/// list to the frontier as seeds (depth 0, their sitemap as parent), through the seen-set:
/// follows sitemap indexes (two levels of nesting at most, 1,000 files in all), reads gzip
/// files with or without `Content-Encoding`, and keeps the protocol's limits per file
/// (`SitemapReader`). Runs on the intake thread, which parses; the fetches run on the loop.
struct SitemapSeeds {
    /// Sitemap files fetched at most, indexes included.
    static let maxFiles = 1_000
    /// Index levels followed: an index of indexes of sitemaps, no deeper.
    static let maxNesting = 2
    /// Sitemaps fetched at once.
    static let concurrency = 8

    let sources: [SitemapSource]
    /// Fetches the URLs given, at once, and returns their responses in the same order.
    let fetch: ([String]) -> [Response]

    /// Reads every sitemap, appending the pages `isNew` has not seen to `file`.
    func read(into file: FrontierFile, isNew: (UInt64) -> Bool) throws(FrontierError) -> SitemapReport {
        var report = SitemapReport()
        let reader = SitemapReader()
        var requested = Set<String>()
        // Sitemaps to read, with their nesting level.
        var pending: [(url: CheckedURL, level: Int)] = []
        var robots: [CheckedURL] = []
        for source in sources {
            switch source {
            case .sitemap(let url): pending.append((url, 0))
            case .robotsTxt(let url): robots.append(url)
            }
        }
        // One robots.txt a host, each with the host's /sitemap.xml to fall back on.
        var hosts: [String: CheckedURL] = [:]
        for url in robots where hosts[url.robotsURL] == nil { hosts[url.robotsURL] = url }
        let robotsURLs = hosts.keys.sorted()
        for (robotsURL, response) in zip(robotsURLs, fetch(robotsURLs)) {
            let listed = response.ok ? RobotsRules.sitemapURLs(in: response.body) : []
            if listed.isEmpty, let fallback = try? CheckedURL(hosts[robotsURL]!.beforePath + "/sitemap.xml") {
                pending.append((fallback, 0))
            }
            pending += listed.map { ($0, 0) }
        }
        while !pending.isEmpty {
            var batch: [(url: CheckedURL, level: Int)] = []
            while batch.count < Self.concurrency, let next = pending.popLast() {
                guard requested.count < Self.maxFiles else { break }
                if requested.insert(next.url.absolute).inserted { batch.append(next) }
            }
            guard !batch.isEmpty else { break }
            var lines: [UInt8] = []
            for ((url, level), response) in zip(batch, fetch(batch.map(\.url.absolute))) {
                guard response.error == nil, response.ok else {
                    let reason = response.error.map { "\($0.kind): \($0.message)" } ?? "HTTP \(response.status ?? 0)"
                    Self.note("\(url.absolute): \(reason)", in: &report)
                    continue
                }
                let sitemap = reader.read(response.body, url: url)
                if let error = sitemap.error { Self.note("\(url.absolute): \(error)", in: &report) }
                guard sitemap.kind != nil else { continue }
                report.files += 1
                if level < Self.maxNesting {
                    pending += sitemap.sitemaps.reversed().map { ($0, level + 1) }
                }
                for page in sitemap.urls where FrontierFile.canHold(page.withoutFragment)
                    && isNew(SeenSet.hash(page.withoutFragment.utf8)) {
                    FrontierFile.append(found: page.withoutFragment, depth: 0, parent: url.absolute, to: &lines)
                    report.urls += 1
                }
            }
            try file.append(lines)
        }
        return report
    }

    private static func note(_ failure: String, in report: inout SitemapReport) {
        if report.failures.count < 20 { report.failures.append(failure) }
    }
}
