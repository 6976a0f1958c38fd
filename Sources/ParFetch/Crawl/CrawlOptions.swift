#if canImport(Glibc)
import Glibc
#endif

/// Settings for a whole run.
public struct CrawlOptions: Sendable {
    public var fetch = FetchConfiguration()
    /// Transfers in flight at most.
    public var concurrency = 50
    /// Per-host limits, pacing, retries and robots.txt.
    public var scheduling = SchedulingPolicy()
    /// Seconds the transfers in flight may take to finish after a stop is requested, before
    /// they are cut short with `interrupted` records.
    public var grace: Double = 5
    /// Lines that already have a final record (`--resume`): they are skipped, without a record.
    public var completed = CompletedLines()
    /// Take only this shard's lines (the list split across runs); nil: every line.
    public var shard: Shard?
    /// Fetch each distinct URL once; later lines with it get a record with `duplicateOf`.
    public var dedupe = false
    /// Write records in input order, through a window of 4 × `concurrency` records: reading
    /// waits while the oldest unfinished line is that far behind.
    public var ordered = false
    /// Parse HTML pages for the record's page fields (false: fetch only).
    public var parse = true
    /// Threads that parse.
    public var parseWorkers = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// The user's `--select` / `--xpath` rules.
    public var rules: [ExtractionRule] = []
    /// The most links a record keeps (`--max-links`); a page with more gets the first ones and
    /// `links_truncated`. nil: no limit.
    public var maxLinks: Int? = 10_000
    /// Where to save the bodies of 2xx responses (`--save-dir`); nil: they are not saved.
    /// Every body is then kept in memory until a parse worker has saved it, within the parse
    /// queue's bounds, and each record of a saved body has `saved`.
    public var bodyStore: BodyStore?
    /// Whether every fetch's HTTP exchanges are kept as WARC records, gzipped a record a member
    /// when true; nil: no WARC. Not an option: `Crawl.run` sets it from the record writer's
    /// `WARCWriter`, which then writes them (transfers use HTTP/1.1).
    var warcGzip: Bool?
    /// The request every line makes (method, headers after `fetch.headers`, body), unless
    /// its own (JSON Lines input) says otherwise; robots.txt and sitemaps are fetched with
    /// plain GETs whatever it says. nil: GET.
    public var request: LineRequest?
    /// An earlier run's validators (`--since`): each line whose URL has one is fetched with
    /// `If-None-Match` / `If-Modified-Since`.
    public var since: SinceRecords?
    /// Crawl from the inputs as seeds, following links; nil: fetch the inputs only.
    public var crawl: CrawlSettings?

    public init() {}
}
