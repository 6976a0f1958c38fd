/// The outcome of one fetch: the final response's facts, or the error that ended it (with
/// whatever was known by then, such as the status of a body that grew too large).
public struct Response: Sendable {
    /// The URL that was requested.
    public var url: String
    /// The URL after redirects.
    public var finalURL: String?
    /// The final response's status code; nil when no response arrived.
    public var status: Int?
    public var contentType: String?
    /// Body bytes after content decoding, counted even when the body is not kept.
    public var bytes: Int
    /// The body, when `FetchConfiguration.bodies` keeps it and the transfer succeeded.
    public var body: [UInt8]
    /// `1.0`, `1.1`, `2` or `3`.
    public var httpVersion: String?
    public var redirects: Int
    public var timing: Timing?
    /// Seconds the server asked to wait before the next request (its `Retry-After`, given in
    /// seconds or as a date), for a 408, 429 or 5xx response that said.
    public var retryAfter: Double?
    public var error: FetchError?
    /// The final response's `ETag` and `Last-Modified`, when it sent them: what a later
    /// conditional request asks with.
    public var etag: String?
    public var lastModified: String?
    /// The final response's headers named in `FetchConfiguration.headerFields` that it sent,
    /// in that order (lower-case names; several fields of one name joined by ", ").
    public var headerFields: [(name: String, value: String)] = []
    /// The attempt failed before a connection was made (DNS, TCP or TLS).
    var failedConnecting = false
    /// The exchanges as sent and received, when the configuration captures them and a
    /// response head arrived.
    var capture: HTTPCapture?

    public init(
        url: String, finalURL: String? = nil, status: Int? = nil, contentType: String? = nil,
        bytes: Int = 0, body: [UInt8] = [], httpVersion: String? = nil, redirects: Int = 0,
        timing: Timing? = nil, retryAfter: Double? = nil, error: FetchError? = nil
    ) {
        self.url = url
        self.finalURL = finalURL
        self.status = status
        self.contentType = contentType
        self.bytes = bytes
        self.body = body
        self.httpVersion = httpVersion
        self.redirects = redirects
        self.timing = timing
        self.retryAfter = retryAfter
        self.error = error
    }

    /// True for a complete 2xx final response.
    public var ok: Bool {
        guard error == nil, let status else { return false }
        return (200..<300).contains(status)
    }
}
