import CCurl
import CLibCurl

import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The libcurl multi handle and every transfer in it, driven by `EventLoop` through
/// `curl_multi_socket_action` as in curl's `ephiperfifo.c`: libcurl tells us which sockets to
/// watch (socket callback) and when to call back (timer callback); we tell it what happened.
///
/// Confined to the loop thread: only the loop creates it and calls it, and libcurl calls its
/// callbacks from inside those calls. Not Sendable.
final class CurlMulti {
    private let raw: UnsafeMutableRawPointer
    private let epoll: Int32
    let settings: EngineSettings
    /// Transfers in the multi handle, by id, so cancellation can find them. Also keeps them
    /// alive while libcurl holds unretained pointers to them.
    private var transfers: [Int: Transfer] = [:]
    private var idleHandles: [EasyHandle] = []
    /// Transfers still to be traced (`FetchConfiguration.tracedTransfers`), and how many were.
    private lazy var tracesLeft = settings.configuration.tracedTransfers
    private var traced = 0
    /// epoll events registered per socket, indexed by descriptor; 0 when not registered.
    private var registered: [UInt32] = []
    /// When libcurl wants `socketAction(timeout)` next (monotonic ns); nil: no timer.
    private(set) var timerDeadline: UInt64?
    /// The loop's clock, read once per turn: libcurl re-arms its timer many times per
    /// transfer, and a deadline early by one turn's work only costs a call that re-arms it.
    var now: UInt64 = System.monotonicNanoseconds()


    init(epoll: Int32, configuration: FetchConfiguration, redirectScope: CrawlScope? = nil) {
        guard let raw = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.raw = raw
        self.epoll = epoll
        settings = EngineSettings(configuration, redirectScope: redirectScope)
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = CCurl_multi_setopt_socket_function(raw, multiSocketCallback)
        _ = CCurl_multi_setopt_pointer(raw, CURLMOPT_SOCKETDATA, me)
        _ = CCurl_multi_setopt_timer_function(raw, multiTimerCallback)
        _ = CCurl_multi_setopt_pointer(raw, CURLMOPT_TIMERDATA, me)
    }

    deinit {
        // The loop cancelled every transfer before letting go of the multi handle.
        idleHandles.removeAll()
        curl_multi_cleanup(raw)
    }

    /// Caps the idle connections libcurl keeps for reuse (by default 4 per transfer ever
    /// added), so that descriptors stay within what `-j` was sized for.
    func limitConnectionCache(_ connections: Int) {
        _ = CCurl_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, max(1, connections))
    }

    // MARK: transfers

    /// Transfers in flight.
    var transferCount: Int { transfers.count }

    /// Starts fetching `request`; `completion` runs on the loop thread when it ends, exactly once.
    func start(_ request: Request, id: Int, limits: TransferLimits? = nil, completion: @escaping (Response) -> Void) {
        let transfer = Transfer(id: id, request: request, configuration: settings.configuration,
                                limits: limits, completion: completion)
        guard let easy = idleHandles.popLast() ?? EasyHandle(settings: settings) else {
            return finish(transfer, error: FetchError(.other, "curl_easy_init failed: out of memory"))
        }
        transfer.easy = easy
        if tracesLeft > 0 {
            tracesLeft -= 1
            traced += 1
            transfer.trace = TransferTrace(number: traced)
        }
        if !request.headers.isEmpty {
            transfer.extraHeaders = makeHeaderList(settings.configuration.headers + request.headers)
        }
        let prepared = easy.prepare(for: transfer, settings: settings)
        guard prepared == CURLE_OK else {
            return finish(transfer, error: FetchError(curlCode: prepared, detail: easy.errorDetail))
        }
        let added = curl_multi_add_handle(raw, easy.raw)
        guard added == CURLM_OK else {
            return finish(transfer, error: FetchError(.other, String(cString: curl_multi_strerror(added))))
        }
        transfers[id] = transfer
    }

    /// Ends transfer `id` now with an `interrupted` error, if it is still in flight.
    func cancel(id: Int) {
        guard let transfer = transfers.removeValue(forKey: id) else { return }
        _ = curl_multi_remove_handle(raw, transfer.easy!.raw)
        finish(transfer, error: FetchError(.interrupted, "cancelled"))
    }

    /// Ends every transfer in flight with `error`.
    func cancelAll(_ error: FetchError) {
        let all = transfers.values.sorted { $0.id < $1.id }
        transfers.removeAll()
        for transfer in all {
            _ = curl_multi_remove_handle(raw, transfer.easy!.raw)
            finish(transfer, error: error)
        }
    }

    // MARK: driving libcurl (called by the loop)

    /// Tells libcurl that `fd` is ready (epoll events), or that its timer fired
    /// (`fd == CURL_SOCKET_TIMEOUT`), then collects finished transfers.
    func socketAction(_ fd: Int32, epollEvents: UInt32) {
        var mask: Int32 = 0
        if epollEvents & EPOLLIN.rawValue != 0 { mask |= CURL_CSELECT_IN }
        if epollEvents & EPOLLOUT.rawValue != 0 { mask |= CURL_CSELECT_OUT }
        // An error or hang-up alone: let libcurl read and write so it finds the cause itself
        // (its own report names it, e.g. "Connection reset by peer").
        if mask == 0 && epollEvents & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            mask = CURL_CSELECT_IN | CURL_CSELECT_OUT
        }
        var running: Int32 = 0
        _ = curl_multi_socket_action(raw, fd, mask, &running)
        drainCompletions()
    }

    /// Runs libcurl's timeout handling if its timer is due.
    func fireTimerIfDue() {
        guard let deadline = timerDeadline, deadline <= now else { return }
        // Cleared first: the call below may arm the timer again.
        timerDeadline = nil
        socketAction(CCurl_CURL_SOCKET_TIMEOUT, epollEvents: 0)
    }

    private func drainCompletions() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(raw, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easyRaw = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            var privatePointer: UnsafeMutableRawPointer?
            _ = CCurl_easy_getinfo_pointer(easyRaw, CURLINFO_PRIVATE, &privatePointer)
            let transfer = Unmanaged<Transfer>.fromOpaque(privatePointer!).takeUnretainedValue()
            transfers.removeValue(forKey: transfer.id)
            _ = curl_multi_remove_handle(raw, easyRaw)
            complete(transfer, result: result)
        }
    }

    private func complete(_ transfer: Transfer, result: CURLcode) {
        let easy = transfer.easy!
        var error: FetchError?
        // The attempt ended before a connection was made (DNS, TCP, TLS, a connect timeout).
        var failedConnecting = false
        if let leftScope = transfer.leftScope {
            error = leftScope
        } else if transfer.exceededMaxSize && transfer.truncatesBody {
            error = nil
        } else if transfer.exceededMaxSize || result == CURLE_FILESIZE_EXCEEDED {
            error = FetchError(.tooLarge, transfer.sizeLimitMessage)
        } else if result == CURLE_OPERATION_TIMEDOUT {
            (error, failedConnecting) = timeoutError(easy, transfer: transfer)
        } else if result != CURLE_OK {
            let failure = FetchError(curlCode: result, detail: easy.errorDetail, context: context(of: transfer, easy))
            failedConnecting = failure.kind == .dns || failure.kind == .connect
            error = failure
        }
        let status: Int = easy.info(CURLINFO_RESPONSE_CODE)
        let timing = Timing(
            curlTotal: easy.info(CURLINFO_TOTAL_TIME_T), dns: easy.info(CURLINFO_NAMELOOKUP_TIME_T),
            connect: easy.info(CURLINFO_CONNECT_TIME_T), tls: easy.info(CURLINFO_APPCONNECT_TIME_T),
            firstByte: easy.info(CURLINFO_STARTTRANSFER_TIME_T))
        var response = Response(
            url: transfer.request.url,
            finalURL: easy.info(CURLINFO_EFFECTIVE_URL),
            status: status > 0 ? status : nil,
            contentType: easy.info(CURLINFO_CONTENT_TYPE),
            bytes: Int(transfer.received),
            body: error == nil ? transfer.takeBody() : [],
            httpVersion: Self.versionName(easy.info(CURLINFO_HTTP_VERSION)),
            redirects: easy.info(CURLINFO_REDIRECT_COUNT),
            timing: timing,
            retryAfter: status >= 400 ? Self.retryAfter(easy) : nil,
            error: error)
        response.failedConnecting = failedConnecting
        response.capture = transfer.capture?.finish(truncated: error.map(Self.truncation))
        if status > 0 {
            response.etag = easy.headerValues("ETag").last
            response.lastModified = easy.headerValues("Last-Modified").last
            for name in settings.configuration.headerFields {
                let values = easy.headerValues(name)
                if !values.isEmpty { response.headerFields.append((name, values.joined(separator: ", "))) }
            }
        }
        recycle(transfer)
        transfer.completion(response)
    }

    /// Ends a transfer that never ran or was removed early.
    private func finish(_ transfer: Transfer, error: FetchError) {
        recycle(transfer)
        transfer.completion(Response(url: transfer.request.url, error: error))
    }

    private func recycle(_ transfer: Transfer) {
        transfer.freeExtraHeaders()
        if let easy = transfer.easy {
            transfer.easy = nil
            // A handle whose fixed options failed (a bad proxy URL, say) is not kept.
            if easy.isUsable { idleHandles.append(easy) }
        }
    }

    /// Why a captured body that `error` ended is shorter than meant (WARC-Truncated).
    private static func truncation(_ error: FetchError) -> HTTPCapture.Truncation {
        switch error.kind {
        case .tooLarge: .length
        case .timeout: .time
        case .reset: .disconnect
        default: .unspecified
        }
    }

    /// The server's Retry-After in seconds (libcurl reads both forms: seconds and HTTP date).
    private static func retryAfter(_ easy: EasyHandle) -> Double? {
        let seconds: Int64 = easy.info(CURLINFO_RETRY_AFTER)
        return seconds > 0 ? Double(seconds) : nil
    }

    /// What the transfer had reached when it failed, for `FetchError(curlCode:)`.
    private func context(of transfer: Transfer, _ easy: EasyHandle) -> FetchError.CurlContext {
        let status: Int = easy.info(CURLINFO_RESPONSE_CODE)
        return FetchError.CurlContext(
            effectiveURL: easy.info(CURLINFO_EFFECTIVE_URL),
            readingHeaders: status > 0 && transfer.received == 0,
            headerBytes: easy.info(CURLINFO_HEADER_SIZE),
            chunked: Self.isChunked(easy),
            socketErrno: easy.info(CURLINFO_OS_ERRNO),
            proxy: settings.proxyName,
            maxRedirects: settings.configuration.maxRedirects)
    }

    /// Whether the last response's `Transfer-Encoding` names `chunked`, which is what makes
    /// libcurl decode chunks (http.c sets its chunk state from that field alone).
    private static func isChunked(_ easy: EasyHandle) -> Bool {
        easy.headerValues("Transfer-Encoding").contains { value in
            value.split(separator: ",").contains { coding in
                coding.filter { $0 != " " && $0 != "\t" }.lowercased() == "chunked"
            }
        }
    }

    /// Names the limit that was reached: libcurl reports all three as CURLE_OPERATION_TIMEDOUT.
    /// Where the transfer was tells the connect limit from the others (it runs only until a
    /// request goes out; the stall limit only after), and how long it ran tells the total limit
    /// (it counts from the start, over every redirect). `connectTimeout`: the connect limit fired.
    private func timeoutError(_ easy: EasyHandle, transfer: Transfer) -> (FetchError, connectTimeout: Bool) {
        let configuration = settings.configuration
        let connecting = transfer.stillConnecting(redirects: easy.info(CURLINFO_REDIRECT_COUNT))
        let total = transfer.limits?.timeout ?? configuration.timeout
        // Our start is before libcurl's and our end after its check: if the total limit
        // fired, this is at least that long.
        let elapsed = Double(System.monotonicNanoseconds() - transfer.startedAt) / 1e9
        let totalReached = total.map { elapsed >= $0 } ?? false
        // Both limits run while connecting; when they end together the connect limit names it.
        if connecting, let connectTimeout = configuration.connectTimeout,
           !totalReached || connectTimeout <= total ?? .infinity {
            return (FetchError(.timeout, "connect timeout: no connection within \(Self.seconds(connectTimeout)) s (--connect-timeout)"), true)
        }
        let received: Int64 = easy.info(CURLINFO_SIZE_DOWNLOAD_T)
        if !connecting, !totalReached, let stall = configuration.stallTimeout {
            let seconds = Self.seconds(stall.rounded(.up))
            // libcurl's speed check counts body bytes only: a head still arriving is silence
            // to it, however fast its bytes come. Say so rather than claim a byte rate.
            let message = received == 0
                ? "stall timeout: no body byte within \(seconds) s (--stall-timeout)"
                : "stall timeout: less than 1 byte/s for \(seconds) s (--stall-timeout)"
            return (FetchError(.timeout, message), false)
        }
        guard let total else {
            // No limit of ours: libcurl's own (its 300 s connect default).
            return (FetchError(curlCode: CURLE_OPERATION_TIMEDOUT, detail: easy.errorDetail), connecting)
        }
        let phase = connecting ? "while connecting" : "with \(received) bytes received"
        // A transfer with limits of its own (robots.txt) did not run under the configured one.
        let limit = transfer.limits == nil ? " (--timeout)" : ""
        return (FetchError(.timeout, "total timeout: not complete within \(Self.seconds(total)) s, \(phase)\(limit)"), false)
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private static func versionName(_ version: Int) -> String? {
        switch version {
        case Int(CURL_HTTP_VERSION_1_0): return "1.0"
        case Int(CURL_HTTP_VERSION_1_1): return "1.1"
        case Int(CURL_HTTP_VERSION_2_0): return "2"
        case Int(CURL_HTTP_VERSION_3): return "3"
        default: return nil
        }
    }

    // MARK: callbacks from libcurl

    fileprivate func watch(_ fd: Int32, what: Int32) {
        let index = Int(fd)
        if index >= registered.count {
            registered.append(contentsOf: repeatElement(0, count: max(index + 1 - registered.count, 64)))
        }
        let current = registered[index]
        if what == CURL_POLL_REMOVE {
            if current != 0 {
                // May fail if libcurl already closed the socket; epoll forgot it then anyway.
                try? System.epollControl(epoll, EPOLL_CTL_DEL, fd, events: 0)
                registered[index] = 0
            }
            return
        }
        var events: UInt32 = 0
        if what & CURL_POLL_IN != 0 { events |= EPOLLIN.rawValue }
        if what & CURL_POLL_OUT != 0 { events |= EPOLLOUT.rawValue }
        guard events != current else { return }
        do {
            try System.epollControl(epoll, current == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, events: events)
            registered[index] = events
        } catch {
            // The descriptor was replaced behind our back (closed and reused): start over.
            try? System.epollControl(epoll, EPOLL_CTL_DEL, fd, events: 0)
            try? System.epollControl(epoll, EPOLL_CTL_ADD, fd, events: events)
            registered[index] = events
        }
    }

    fileprivate func arm(timeoutMilliseconds: Int) {
        // -1 disarms; 0 means "as soon as possible", which the loop does after this call
        // returns: libcurl must not be called from inside its own callback.
        timerDeadline = timeoutMilliseconds < 0 ? nil : now + UInt64(timeoutMilliseconds) * 1_000_000
    }
}

private func multiSocketCallback(
    _ easy: UnsafeMutableRawPointer, _ fd: curl_socket_t, _ what: Int32,
    _ userp: UnsafeMutableRawPointer?, _ socketp: UnsafeMutableRawPointer?
) -> Int32 {
    Unmanaged<CurlMulti>.fromOpaque(userp!).takeUnretainedValue().watch(fd, what: what)
    return 0
}

private func multiTimerCallback(
    _ multi: UnsafeMutableRawPointer, _ timeoutMilliseconds: Int, _ userp: UnsafeMutableRawPointer?
) -> Int32 {
    Unmanaged<CurlMulti>.fromOpaque(userp!).takeUnretainedValue().arm(timeoutMilliseconds: timeoutMilliseconds)
    return 0
}
