import CCurl
import CLibCurl

#if canImport(Glibc)
import Glibc
#endif

/// The parts of a `FetchConfiguration` that libcurl needs as C objects, built once: the
/// header list and a share handle through which every easy handle reuses DNS results and
/// TLS sessions. Confined to the loop thread; no share locks are needed for that reason.
final class EngineSettings {
    let configuration: FetchConfiguration
    let headers: UnsafeMutablePointer<curl_slist>?
    let share: UnsafeMutableRawPointer?
    /// The proxy for every transfer: the configured one, nil to let libcurl read the
    /// environment (`https_proxy`, `ALL_PROXY`, …) when one of its variables is set, or ""
    /// for none.
    let proxy: String?
    /// How messages name the configured proxy (`ProxyURL.name`); nil when transfers go
    /// direct, or through a proxy from the environment, whose `no_proxy` may send some direct.
    let proxyName: String?
    /// A crawl's scope, which a redirect must stay in to be followed (`out_of_scope`), and
    /// the URL check that resolves redirects' targets against it.
    let redirectCheck: (scope: CrawlScope, check: URLCheck)?

    init(_ configuration: FetchConfiguration, redirectScope: CrawlScope? = nil) {
        self.configuration = configuration
        redirectCheck = redirectScope.map { ($0, URLCheck()) }
        headers = makeHeaderList(configuration.headers)
        let variables = ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
        proxy = configuration.proxy ?? (variables.contains { getenv($0) != nil } ? nil : "")
        proxyName = configuration.proxy.flatMap { $0.isEmpty ? nil : try? ProxyURL($0).name }
        share = curl_share_init()
        if let share {
            _ = CCurl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue))
            _ = CCurl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue))
        }
    }

    deinit {
        if let headers { curl_slist_free_all(headers) }
        if let share { curl_share_cleanup(share) }
    }
}

/// Builds a curl header list; nil for none.
func makeHeaderList(_ headers: [String]) -> UnsafeMutablePointer<curl_slist>? {
    var list: UnsafeMutablePointer<curl_slist>?
    for header in headers {
        list = curl_slist_append(list, header)
    }
    return list
}
