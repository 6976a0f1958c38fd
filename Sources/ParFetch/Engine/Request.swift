/// One URL to fetch with the fetcher's configuration, plus optional extra headers.
public struct Request: Sendable, Hashable {
    /// An absolute http or https URL.
    public var url: String
    /// Extra request headers in curl's syntax (`Name: value`; `Name:` removes a default
    /// header), added after the configuration's headers.
    public var headers: [String]

    public init(url: String, headers: [String] = []) {
        self.url = url
        self.headers = headers
    }
}
