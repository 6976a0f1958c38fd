/// One URL line of the input list, or in a crawl a URL found on a page (its `line` then
/// counts on after the seeds' lines).
public struct ListItem: Sendable {
    /// 1-based line number in the input.
    public var line: Int
    /// The line as given, trimmed (invalid UTF-8 replaced by U+FFFD).
    public var text: String
    /// The URL to fetch, checked and taken apart, or why the line can't be fetched.
    public var target: Result<CheckedURL, FetchError>
    /// Its place among the lines that get a record in this run (from 0), for `--ordered`; the
    /// intake numbers the lines it lets through.
    var sequence = 0
    /// In a crawl: the URL's depth and parent (nil in a list run).
    public var crawl: CrawlPlace?
    /// What the line asks for beyond its URL (JSON Lines input, `--since`); nil: the run's
    /// request as it is.
    public var request: LineRequest?

    public init(line: Int, text: String, target: Result<CheckedURL, FetchError>) {
        self.line = line
        self.text = text
        self.target = target
    }

    /// The checked URL, for a line that can be fetched.
    public var url: CheckedURL? {
        if case .success(let url) = target { return url }
        return nil
    }
}
