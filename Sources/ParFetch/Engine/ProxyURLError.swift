/// Why a proxy URL can't be used (`ProxyURL`).
public struct ProxyURLError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable {
        case unparsable
        case unsupportedScheme
    }

    private let code: Code
    /// libcurl's reason, or the scheme refused.
    private let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// libcurl's URL parser refuses it, for `reason` (its `curl_url_strerror`).
    static func unparsable(_ reason: String) -> Self { Self(.unparsable, reason) }
    /// libcurl's proxy code does not speak `scheme`.
    static func unsupportedScheme(_ scheme: String) -> Self { Self(.unsupportedScheme, scheme) }

    public var description: String {
        switch code {
        case .unparsable:
            return detail
        case .unsupportedScheme:
            return "scheme \"\(detail)\" is not one libcurl's proxies speak (\(ProxyURL.schemes.joined(separator: ", ")))"
        }
    }
}
