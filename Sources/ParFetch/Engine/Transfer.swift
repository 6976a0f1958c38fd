import CCurl
import CLibCurl

/// Limits of one transfer that differ from the configuration's: robots.txt is fetched with its
/// own short timeout, and a body over `maxSize` is cut there (and kept) instead of failing.
struct TransferLimits {
    var timeout: Double
    var maxSize: Int64
}

/// One request in flight: its easy handle, the bytes received so far and who to tell when it
/// ends. Confined to the loop thread, like the easy handle it owns.
final class Transfer {
    let id: Int
    let request: Request
    let completion: (Response) -> Void
    let limits: TransferLimits?
    private let maxSize: Int64
    private let maxRedirects: Int
    private let retention: BodyRetention
    private var keepBody: Bool

    var easy: EasyHandle?
    /// The request's own headers, when it has any; freed when the transfer ends.
    var extraHeaders: UnsafeMutablePointer<curl_slist>?
    private(set) var body: [UInt8] = []
    private(set) var received: Int64 = 0
    /// Set when the body grew past `maxSize`: the write callback then refuses the bytes, which
    /// aborts the transfer with CURLE_WRITE_ERROR before the memory is spent.
    private(set) var exceededMaxSize = false
    /// Requests sent so far, each on a connection made or reused (libcurl's pre-request
    /// callback): fewer than the hops (redirects + 1) means the last hop never connected.
    private(set) var requestsSent = 0
    /// A crawl's scope, and the loop's URL check to resolve redirects' targets with.
    var redirectCheck: (scope: CrawlScope, check: URLCheck)?
    /// Why the transfer was stopped at a redirect: its target is out of the crawl's scope.
    private(set) var leftScope: FetchError?
    /// The exchanges' bytes, when the configuration captures them (for WARC); transfers with
    /// limits of their own (robots.txt, sitemaps) are not captured.
    let capture: CaptureRecorder?
    /// Writes libcurl's trace of this transfer, when it is one of the first traced.
    var trace: TransferTrace?
    /// When the transfer was handed to libcurl (monotonic ns), read fresh rather than from the
    /// loop's turn clock: it tells which time limit fired, so it must not be late.
    let startedAt = System.monotonicNanoseconds()

    init(id: Int, request: Request, configuration: FetchConfiguration, limits: TransferLimits?,
         completion: @escaping (Response) -> Void) {
        maxRedirects = configuration.maxRedirects
        self.id = id
        self.request = request
        self.completion = completion
        self.limits = limits
        maxSize = limits?.maxSize ?? configuration.maxSize
        retention = limits == nil ? configuration.bodies : .all
        keepBody = retention != .none
        capture = configuration.capturesExchanges && limits == nil ? CaptureRecorder() : nil
    }

    /// A connection is ready and a request goes out on it.
    func requestSent() {
        requestsSent += 1
    }

    /// Whether the transfer's last hop was still connecting (resolving, TCP, TLS) when it
    /// ended: the request to the URL it had reached never went out.
    func stillConnecting(redirects: Int) -> Bool {
        requestsSent <= redirects
    }

    /// A response header line arrived; false stops the transfer (a redirect that would leave
    /// the crawl's scope: `leftScope` says why). It stops at the head's end, so that the
    /// response's head is whole (a captured exchange keeps it).
    func headerArrived(_ line: UnsafeRawBufferPointer) -> Bool {
        if line.count <= 2, line.last == UInt8(ascii: "\n") {
            guard leftScope == nil else {
                // libcurl passes the head's last line to the debug callback only after this
                // one accepts it: the capture takes it here (a second time changes nothing).
                capture?.headerLine(line)
                return false
            }
            return true
        }
        let name = "location:".utf8
        guard let (scope, check) = redirectCheck, let easy, line.count > name.count,
              zip(line, name).allSatisfy({ $0 | 0x20 == $1 }) else { return true }
        let status: Int = easy.info(CURLINFO_RESPONSE_CODE)
        let redirects: Int = easy.info(CURLINFO_REDIRECT_COUNT)
        // libcurl follows a Location of these, and only while redirects are left.
        guard (300..<400).contains(status), status != 304, redirects < maxRedirects,
              let base: String = easy.info(CURLINFO_EFFECTIVE_URL) else { return true }
        var bytes = line.dropFirst(name.count)
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last <= 0x20 { bytes = bytes.dropLast() }
        let value = String(decoding: bytes, as: UTF8.self)
        guard !value.isEmpty, case .success(let target) = check.resolve(value, against: base),
              let exclusion = scope.exclusion(of: target) else { return true }
        let reason = exclusion == .outOfScope ? "out of the crawl's scope (\(scope.kind))" : "excluded by --include/--exclude"
        leftScope = FetchError(.outOfScope, "redirect to \(URLCheck.redactingPassword(target.absolute)) not followed: \(reason)")
        return true
    }

    /// Takes body bytes (already content-decoded by libcurl); returns how many were taken.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        received += Int64(bytes.count)
        if received > maxSize {
            exceededMaxSize = true
            if truncatesBody, keepBody {
                body.append(contentsOf: bytes.prefix(Int(maxSize) - body.count))
            }
            return 0
        }
        if keepBody {
            body.append(contentsOf: bytes)
        }
        return bytes.count
    }

    /// Called before the first body bytes: decides whether to keep the body, and reserves
    /// room for it once its declared length is known, so appends don't copy. Asks `easy` only
    /// for what that decision needs: nothing when bodies are not kept.
    func bodyStarts(_ easy: EasyHandle) {
        if retention == .html {
            keepBody = PageParser.htmlMediaType(easy.info(CURLINFO_CONTENT_TYPE)) ?? true
        }
        guard keepBody, body.isEmpty else { return }
        let length: Int64 = easy.info(CURLINFO_CONTENT_LENGTH_DOWNLOAD_T)
        guard length > 0, length <= maxSize else { return }
        body.reserveCapacity(Int(length))
    }

    func takeBody() -> [UInt8] {
        defer { body = [] }
        return body
    }

    func freeExtraHeaders() {
        if let extraHeaders { curl_slist_free_all(extraHeaders) }
        extraHeaders = nil
    }

    /// Whether an oversized body was cut and kept rather than failing the transfer.
    var truncatesBody: Bool { limits != nil }

    /// Why a body over the limit failed; only a transfer under the configured limit fails so
    /// (one with limits of its own cuts the body instead).
    var sizeLimitMessage: String {
        "body larger than \(maxSize) bytes (--max-size)"
    }
}
