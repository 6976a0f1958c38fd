/// One line of output: what happened to one input line. Fields are nil when unknown and then
/// left out of the output.
public struct Record: Sendable {
    public var line: Int
    /// The input line as given (trimmed).
    public var url: String
    public var finalURL: String?
    public var status: Int?
    public var ok: Bool
    public var contentType: String?
    public var bytes: Int?
    public var httpVersion: String?
    public var redirects: Int?
    /// Requests made for this line (0 when it was not fetched).
    public var attempts: Int
    /// With `--dedupe`: the earlier line with the same URL, whose record tells the outcome.
    public var duplicateOf: Int?
    /// In a crawl: links from the nearest seed (0 for a seed).
    public var depth: Int?
    /// In a crawl: the final URL of the page where the link to this one was first found at
    /// its depth (nil for a seed).
    public var parent: String?
    public var timing: Timing?
    /// The page's fields, when the body was HTML and parsed.
    public var page: PageData?
    /// With a `BodyStore` (`--save-dir`): where the body was saved, relative to the store's
    /// directory (`host/0123456789abcdef.html`).
    public var saved: String?
    /// Seconds the final response's `Retry-After` asked to wait (a 408, 429 or 5xx that sent
    /// one): why a URL with retries left was not retried, when it is over the longest wait
    /// allowed.
    public var retryAfter: Double?
    public var error: FetchError?
    /// With WARC output: where the final response's record is.
    public var warc: WARCPointer?
    /// The capture's WARC records, encoded, until the record writer appends them to the WARC
    /// file (and sets `warc`).
    var capture: EncodedCapture?
    /// A 304 answered the line's conditional request (`--since`): unchanged since its earlier
    /// record.
    public var notModified: Bool?
    /// The final response's `ETag` and `Last-Modified`, when it sent them.
    public var etag: String?
    public var lastModified: String?
    /// The response headers asked for that the final response sent (name, value).
    public var headerFields: [(name: String, value: String)]?
    /// The JSON Lines line's `meta`, its bytes as given.
    public var meta: [UInt8]?
    /// The item's `sequence`, for writing in input order.
    var sequence = 0
    /// The host the line was fetched from ("" when it was not fetchable), for the run summary.
    var host = ""

    /// A line that was not fetched.
    public init(item: ListItem, error: FetchError) {
        line = item.line
        sequence = item.sequence
        url = item.text
        depth = item.crawl?.depth
        parent = item.crawl?.parent
        ok = false
        attempts = 0
        self.error = error
        meta = item.request?.meta
    }

    /// A line not fetched because an earlier line has the same URL.
    public init(item: ListItem, duplicateOf line: Int) {
        self.line = item.line
        sequence = item.sequence
        url = item.text
        depth = item.crawl?.depth
        parent = item.crawl?.parent
        ok = false
        attempts = 0
        duplicateOf = line
        meta = item.request?.meta
    }

    /// A line that was fetched, from its last attempt's response.
    public init(item: ListItem, response: Response, attempts: Int = 1) {
        line = item.line
        sequence = item.sequence
        host = item.url?.hostKey ?? ""
        url = item.text
        depth = item.crawl?.depth
        parent = item.crawl?.parent
        // The password of a URL given with one is not echoed (the line itself is `url`).
        finalURL = response.finalURL.map(URLCheck.redactingPassword)
        status = response.status
        ok = response.ok
        contentType = response.contentType
        bytes = response.status == nil && response.bytes == 0 ? nil : response.bytes
        httpVersion = response.httpVersion
        redirects = response.status == nil ? nil : response.redirects
        self.attempts = attempts
        timing = response.timing
        retryAfter = response.retryAfter
        error = response.error
        meta = item.request?.meta
        etag = response.etag
        lastModified = response.lastModified
        headerFields = response.headerFields.isEmpty ? nil : response.headerFields
        notModified = response.status == 304 && response.error == nil ? true : nil
    }
}
