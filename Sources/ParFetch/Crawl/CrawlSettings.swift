/// What makes a run a crawl (`CrawlOptions.crawl`): the inputs are its seeds, and the links
/// of every page fetched are followed, breadth-first, within these limits.
public struct CrawlSettings: Sendable {
    /// Links followed from the nearest seed at most: 0 fetches the seeds only.
    public var depth = 5
    /// Which links are followed, and which redirects.
    public var scope = CrawlScope()
    /// Records written at most (over every run of a resumed crawl); nil: no limit.
    public var maxPages: Int?
    /// URLs of one host (host and port) fetched at most; nil: no limit.
    public var maxPagesPerHost: Int?
    /// Sitemaps whose pages are seeds too, read before the first page is fetched.
    public var sitemaps: [SitemapSource] = []
    /// The frontier file (`FrontierFile`); nil: a temporary file, gone at the end of the run.
    public var frontierPath: String?
    /// Continue the crawl whose frontier is at `frontierPath` (with `CrawlOptions.completed`
    /// from its output).
    public var resuming = false

    public init() {}
}

extension CrawlSettings {
    /// Where a crawl writing its records to `output` keeps its frontier: `OUTPUT.frontier`.
    public static func frontierPath(besideOutput output: String) -> String {
        output + ".frontier"
    }

    /// The lines a resumed crawl's records are compared with (`CompletedLines.load`'s
    /// `list`): the seeds' lines, then the URLs of the frontier at `frontierPath`, numbered on
    /// after them. Throws `FrontierError`.
    public static func recordedLines(seeds: ListInputs, frontierPath: String)
        throws -> () throws -> (line: Int, text: String)? {
        let file = try FrontierFile(path: frontierPath, resuming: true)
        var cursor = FrontierCursor(file: file)
        var seedsDone = false
        var line = 0
        return {
            if !seedsDone {
                if let seed = try seeds.nextText() { return seed }
                seedsDone = true
                line = seeds.linesRead
            }
            while let text = try cursor.nextLine() {
                switch FrontierFile.parse(text) {
                case .found(_, let url, _)?:
                    line += 1
                    return (line: line, text: String(url))
                case .fetched?, .sitemapsRead?:
                    continue
                case nil:
                    throw FrontierError.notAFrontier(file.path, line: cursor.lines)
                }
            }
            return nil
        }
    }
}
