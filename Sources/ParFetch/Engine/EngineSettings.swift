import CCurl
import CLibCurl

#if canImport(Glibc)
import Glibc
#endif

/// The parts of a `FetchConfiguration` that libcurl needs as C objects, built once: the
/// header and address lists, and a share handle through which every easy handle reuses DNS
/// results and TLS sessions (and, when the configuration shares cookies, one cookie jar).
/// Created and used on the loop thread; the share has lock functions all the same
/// (`ShareLocks`), so that it stays correct should another thread ever use it.
final class EngineSettings {
    let configuration: FetchConfiguration
    let headers: UnsafeMutablePointer<curl_slist>?
    let resolve: UnsafeMutablePointer<curl_slist>?
    let connectTo: UnsafeMutablePointer<curl_slist>?
    let share: UnsafeMutableRawPointer?
    private let locks = ShareLocks()
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
    /// Whether the share holds the cookies of every transfer.
    var sharesCookies: Bool { configuration.cookies != nil }

    init(_ configuration: FetchConfiguration, redirectScope: CrawlScope? = nil) {
        self.configuration = configuration
        redirectCheck = redirectScope.map { ($0, URLCheck()) }
        headers = makeHeaderList(configuration.headers)
        resolve = makeHeaderList(configuration.resolve)
        connectTo = makeHeaderList(configuration.connectTo)
        let variables = ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
        proxy = configuration.proxy ?? (variables.contains { getenv($0) != nil } ? nil : "")
        proxyName = configuration.proxy.flatMap { $0.isEmpty ? nil : try? ProxyURL($0).name }
        share = curl_share_init()
        if let share {
            _ = CCurl_share_setopt_pointer(share, CURLSHOPT_USERDATA, locks.pointer)
            _ = CCurl_share_setopt_lock_function(share, shareLock)
            _ = CCurl_share_setopt_unlock_function(share, shareUnlock)
            _ = CCurl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue))
            _ = CCurl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue))
            if let cookies = configuration.cookies {
                _ = CCurl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_COOKIE.rawValue))
                loadCookies(cookies.files)
            }
        }
    }

    deinit {
        if let jar = configuration.cookies?.jar { writeCookies(to: jar) }
        if let headers { curl_slist_free_all(headers) }
        if let resolve { curl_slist_free_all(resolve) }
        if let connectTo { curl_slist_free_all(connectTo) }
        if let share { curl_share_cleanup(share) }
    }

    /// Reads the cookie files into the shared jar once, before any transfer, through a handle
    /// of its own: "RELOAD" reads the handle's cookie files at once.
    private func loadCookies(_ files: [String]) {
        guard !files.isEmpty, let share, let easy = curl_easy_init() else { return }
        defer { curl_easy_cleanup(easy) }
        _ = CCurl_easy_setopt_pointer(easy, CURLOPT_SHARE, share)
        for file in files {
            _ = CCurl_easy_setopt_string(easy, CURLOPT_COOKIEFILE, file)
        }
        _ = CCurl_easy_setopt_string(easy, CURLOPT_COOKIELIST, "RELOAD")
    }

    /// Writes the shared jar (Netscape format, as curl's `-c`) once every transfer is over.
    private func writeCookies(to path: String) {
        guard let share, let easy = curl_easy_init() else { return }
        _ = CCurl_easy_setopt_pointer(easy, CURLOPT_SHARE, share)
        _ = CCurl_easy_setopt_string(easy, CURLOPT_COOKIEJAR, path)
        _ = CCurl_easy_setopt_string(easy, CURLOPT_COOKIELIST, "FLUSH")
        // Detached first: cleaning up a handle with a jar writes it again.
        _ = CCurl_easy_setopt_string(easy, CURLOPT_COOKIEJAR, nil)
        curl_easy_cleanup(easy)
    }
}

/// A mutex for each kind of data a share handle holds (`curl_lock_data`), which libcurl takes
/// through the share's lock and unlock functions around every use of that data.
///
/// `@unchecked Sendable`: the mutexes are pthread mutexes at fixed heap addresses, which is
/// what makes them usable from any thread; nothing else is stored.
final class ShareLocks: @unchecked Sendable {
    private static let count = Int(CURL_LOCK_DATA_LAST.rawValue)
    private let mutexes: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutexes = .allocate(capacity: Self.count)
        for index in 0..<Self.count { pthread_mutex_init(mutexes + index, nil) }
    }

    deinit {
        for index in 0..<Self.count { pthread_mutex_destroy(mutexes + index) }
        mutexes.deallocate()
    }

    /// The share's CURLSHOPT_USERDATA.
    var pointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(mutexes) }

    fileprivate static func mutex(_ userp: UnsafeMutableRawPointer?, _ data: curl_lock_data) -> UnsafeMutablePointer<pthread_mutex_t>? {
        let index = Int(data.rawValue)
        guard let userp, index >= 0, index < count else { return nil }
        return userp.assumingMemoryBound(to: pthread_mutex_t.self) + index
    }
}

private func shareLock(_ handle: UnsafeMutableRawPointer?, _ data: curl_lock_data, _ access: curl_lock_access,
                       _ userp: UnsafeMutableRawPointer?) {
    if let mutex = ShareLocks.mutex(userp, data) { pthread_mutex_lock(mutex) }
}

private func shareUnlock(_ handle: UnsafeMutableRawPointer?, _ data: curl_lock_data, _ userp: UnsafeMutableRawPointer?) {
    if let mutex = ShareLocks.mutex(userp, data) { pthread_mutex_unlock(mutex) }
}

/// Builds a curl header list; nil for none.
func makeHeaderList(_ headers: [String]) -> UnsafeMutablePointer<curl_slist>? {
    var list: UnsafeMutablePointer<curl_slist>?
    for header in headers {
        list = curl_slist_append(list, header)
    }
    return list
}
