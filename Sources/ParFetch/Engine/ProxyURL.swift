import CLibCurl

/// A proxy URL as libcurl will read it: its URL parser with the flags its proxy code uses
/// (url.c's `parse_proxy`: schemes it doesn't fetch allowed, a missing one guessed, so
/// `proxy.example:3128` is `http://proxy.example:3128`), and a scheme that code speaks. A proxy
/// libcurl would refuse fails every transfer alike; checking it first fails it once.
public struct ProxyURL: Sendable, Hashable, CustomStringConvertible {
    /// The URL as given: what libcurl is handed.
    public let text: String
    /// `scheme://host[:port]`, without user name or password: how messages name the proxy.
    public let name: String

    /// The schemes libcurl 7.88's proxy code speaks.
    public static let schemes = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"]

    /// Checks `text`; throws why libcurl can't use it as a proxy.
    public init(_ text: String) throws(ProxyURLError) {
        CurlGlobal.initialize()
        guard let handle = curl_url() else { fatalError("curl_url failed: out of memory") }
        defer { curl_url_cleanup(handle) }
        let code = curl_url_set(handle, CURLUPART_URL, text, UInt32(CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME))
        guard code == CURLUE_OK else { throw .unparsable(String(cString: curl_url_strerror(code))) }
        func part(_ part: CURLUPart) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            defer { curl_free(value) }
            guard curl_url_get(handle, part, &value, 0) == CURLUE_OK, let value else { return nil }
            return String(cString: value)
        }
        let scheme = part(CURLUPART_SCHEME)?.lowercased() ?? ""
        guard Self.schemes.contains(scheme) else { throw .unsupportedScheme(scheme) }
        self.text = text
        name = scheme + "://" + (part(CURLUPART_HOST) ?? "") + (part(CURLUPART_PORT).map { ":" + $0 } ?? "")
    }

    public var description: String { name }
}
