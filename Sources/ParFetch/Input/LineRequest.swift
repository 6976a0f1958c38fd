/// What one line asks for beyond its URL: a JSON Lines line's method, headers, body and
/// `meta`, and the conditional headers of `--since`. Shared, not copied, as the item moves
/// through the scheduler (`CrawlJob` is kept small).
public final class LineRequest: Sendable {
    /// nil: the run's method.
    public let method: String?
    /// Headers in curl's syntax, added after the run's.
    public let headers: [String]
    /// nil: the run's body.
    public let body: [UInt8]?
    /// The line's `meta` value, its bytes exactly as given: valid JSON.
    public let meta: [UInt8]?

    public init(method: String? = nil, headers: [String] = [], body: [UInt8]? = nil, meta: [UInt8]? = nil) {
        self.method = method
        self.headers = headers
        self.body = body
        self.meta = meta
    }

    /// The request of a JSON Lines line: a `json` body comes with the JSON content type and
    /// Accept, as curl's `--json` (unless the line's headers name them).
    convenience init(_ line: JSONLine) {
        var headers = line.headers
        if line.bodyIsJSON {
            headers = LineRequest.jsonHeaders(unlessIn: headers) + headers
        }
        self.init(method: line.method, headers: headers, body: line.body, meta: line.meta)
    }

    /// This request with `more` headers after its own.
    func adding(headers more: [String]) -> LineRequest {
        LineRequest(method: method, headers: headers + more, body: body, meta: meta)
    }

    /// `Content-Type: application/json` and `Accept: application/json`, each unless `headers`
    /// (in curl's syntax) already has a field of that name.
    public static func jsonHeaders(unlessIn headers: [String]) -> [String] {
        let named = Set(headers.map { header in
            String(header.prefix { $0 != ":" && $0 != ";" }).lowercased()
        })
        return [("content-type", "Content-Type: application/json"), ("accept", "Accept: application/json")]
            .filter { !named.contains($0.0) }.map(\.1)
    }
}

/// How a list's lines are read.
public enum InputFormat: String, Sendable, CaseIterable {
    /// JSON Lines when the first line that is not blank or a comment starts with `{`, else URLs.
    case auto
    /// A URL a line.
    case lines
    /// A JSON object a line (`JSONLine`).
    case jsonl
}
