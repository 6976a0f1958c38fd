/// One URL line of the input list.
public struct ListItem: Sendable {
    /// 1-based line number in the input.
    public var line: Int
    /// The line as given, trimmed (invalid UTF-8 replaced by U+FFFD).
    public var text: String
    /// The URL to fetch, or why the line can't be fetched.
    public var target: Result<String, FetchError>
    /// The host the scheduler files the URL under (host name and port), set by the list
    /// reader for fetchable lines.
    var host = ""
    /// Its place among the lines that get a record in this run (from 0), for `--ordered`.
    var sequence = 0

    public init(line: Int, text: String, target: Result<String, FetchError>) {
        self.line = line
        self.text = text
        self.target = target
    }
}
