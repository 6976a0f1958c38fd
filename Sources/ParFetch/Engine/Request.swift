/// One URL to fetch with the fetcher's configuration, plus optional extra headers, method
/// and body.
public struct Request: Sendable, Hashable {
    /// An absolute http or https URL.
    public var url: String
    /// Extra request headers in curl's syntax (`Name: value`; `Name:` removes a default
    /// header), added after the configuration's headers.
    public var headers: [String]
    /// The method as curl's `-X` takes it; nil: GET, or POST when there is a body. `HEAD`
    /// asks for the head only (curl's `-I`).
    public var method: String?
    /// The request body, sent as curl's `-d` sends it (POST unless `method` says otherwise,
    /// `application/x-www-form-urlencoded` unless a header says otherwise). Redirects follow
    /// curl's rules: 301, 302 and 303 turn a POST into a GET.
    public var body: [UInt8]?

    public init(url: String, headers: [String] = [], method: String? = nil, body: [UInt8]? = nil) {
        self.url = url
        self.headers = headers
        self.method = method
        self.body = body
    }

    /// Whether only the response head is asked for.
    var isHead: Bool { method == "HEAD" }
}
