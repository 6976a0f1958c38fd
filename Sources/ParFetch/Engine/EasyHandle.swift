import CCurl
import CLibCurl

/// One libcurl easy handle, reused across transfers so that its TLS session cache and
/// settings survive. Not Sendable: it lives on the loop thread, in the multi handle or in the
/// pool.
final class EasyHandle {
    let raw: UnsafeMutableRawPointer
    /// libcurl writes its detailed error text here.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The first option that failed to apply, reported instead of starting the transfer.
    private var setupFailure: CURLcode = CURLE_OK
    /// The first of the fixed options that failed; every transfer on this handle reports it.
    private var fixedOptionsFailure: CURLcode = CURLE_OK
    /// The last transfer changed fixed options (its `TransferLimits`); the next one restores them.
    private var limitsChanged = false
    /// The last transfer set a method or a body; the next one starts from a plain GET again.
    private var methodChanged = false

    /// Creates a handle with every option that is the same for all transfers already set;
    /// `prepare` then sets only what differs per transfer. Setting everything again for
    /// each transfer (after `curl_easy_reset`) cost about a tenth of the loop's time.
    init?(settings: EngineSettings) {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        configure(settings)
        fixedOptionsFailure = setupFailure
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Whether the options that apply to every transfer were all accepted.
    var isUsable: Bool { fixedOptionsFailure == CURLE_OK }

    private func configure(_ settings: EngineSettings) {
        let configuration = settings.configuration
        set(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        record(CCurl_easy_setopt_write_function(raw, easyHandleWrite))
        record(CCurl_easy_setopt_prereq_function(raw, easyHandlePrereq))
        // The engine runs on its own thread with signals left to the application.
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_FOLLOWLOCATION, 1)
        set(CURLOPT_MAXREDIRS, configuration.maxRedirects)
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        // An empty string asks for every encoding this libcurl can decode (gzip, br, zstd).
        set(CURLOPT_ACCEPT_ENCODING, "")
        set(CURLOPT_USERAGENT, configuration.userAgent)
        if let timeout = configuration.timeout {
            set(CURLOPT_TIMEOUT_MS, milliseconds(timeout))
        }
        if let connectTimeout = configuration.connectTimeout {
            set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(connectTimeout))
        }
        if let stallTimeout = configuration.stallTimeout {
            // Slower than 1 byte/s over the period: in effect, nothing received.
            set(CURLOPT_LOW_SPEED_LIMIT, 1)
            set(CURLOPT_LOW_SPEED_TIME, Int(min(stallTimeout.rounded(.up), Double(Int32.max))))
        }
        record(CCurl_easy_setopt_off_t(raw, CURLOPT_MAXFILESIZE_LARGE, Self.declaredSizeLimit(configuration)))
        // "" tells libcurl not to look for proxy variables in the environment, which it would
        // otherwise do for every transfer; `EngineSettings` did that once.
        set(CURLOPT_PROXY, settings.proxy)
        if configuration.insecure {
            set(CURLOPT_SSL_VERIFYPEER, 0)
            set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        set(CURLOPT_SHARE, settings.share)
        // The cookie engine is always on, so that a cookie set by a redirect reaches its
        // target; without shared cookies `prepare` empties the handle's jar for each transfer.
        set(CURLOPT_COOKIEFILE, "")
        if let cookie = configuration.cookieHeader { set(CURLOPT_COOKIE, cookie) }
        if let credentials = configuration.credentials {
            set(CURLOPT_USERNAME, credentials.user)
            set(CURLOPT_PASSWORD, credentials.password)
            let scheme = switch credentials.scheme {
            case .basic: CCurl_CURLAUTH_BASIC
            case .digest: CCurl_CURLAUTH_DIGEST
            case .any: CCurl_CURLAUTH_ANY
            }
            set(CURLOPT_HTTPAUTH, Int(bitPattern: scheme))
        }
        switch configuration.netrc {
        case .home?:
            set(CURLOPT_NETRC, Int(CURL_NETRC_REQUIRED.rawValue))
        case .file(let path)?:
            set(CURLOPT_NETRC, Int(CURL_NETRC_REQUIRED.rawValue))
            set(CURLOPT_NETRC_FILE, path)
        case nil:
            break
        }
        if let resolve = settings.resolve { set(CURLOPT_RESOLVE, UnsafeMutableRawPointer(resolve)) }
        if let connectTo = settings.connectTo { set(CURLOPT_CONNECT_TO, UnsafeMutableRawPointer(connectTo)) }
        if let file = configuration.caCertificates { set(CURLOPT_CAINFO, file) }
        if let file = configuration.clientCertificate { set(CURLOPT_SSLCERT, file) }
        if let file = configuration.clientKey { set(CURLOPT_SSLKEY, file) }
        switch configuration.httpVersion {
        case .http1_1?: set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        case .http2?: set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2_0))
        case .http2PriorKnowledge?: set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE))
        case nil: break
        }
        if settings.redirectCheck != nil {
            record(CCurl_easy_setopt_header_function(raw, easyHandleHeader))
        }
        if configuration.capturesExchanges || configuration.tracedTransfers > 0 {
            // The debug callback sees the bytes as they go over the wire, and libcurl's notes;
            // libcurl calls it only in verbose mode, which captures need for every transfer
            // (a trace only for its own: `prepare`).
            record(CCurl_easy_setopt_debug_function(raw, easyHandleDebug))
            set(CURLOPT_VERBOSE, configuration.capturesExchanges ? 1 : 0)
        }
        if configuration.capturesExchanges {
            // HTTP/1.1 only: its bytes are the exchange as WARC stores it, where an HTTP/2
            // stream's frames are not.
            set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        }
    }

    /// Points the handle at `transfer`: the options that differ between transfers. Returns
    /// the first failure, if any.
    func prepare(for transfer: Transfer, settings: EngineSettings) -> CURLcode {
        setupFailure = fixedOptionsFailure
        errorBuffer[0] = 0
        set(CURLOPT_URL, transfer.request.url)
        set(CURLOPT_PRIVATE, Unmanaged.passUnretained(transfer).toOpaque())
        set(CURLOPT_WRITEDATA, Unmanaged.passUnretained(transfer).toOpaque())
        set(CURLOPT_PREREQDATA, Unmanaged.passUnretained(transfer).toOpaque())
        let configuration = settings.configuration
        if configuration.capturesExchanges || configuration.tracedTransfers > 0 {
            set(CURLOPT_DEBUGDATA, Unmanaged.passUnretained(transfer).toOpaque())
            if !configuration.capturesExchanges { set(CURLOPT_VERBOSE, transfer.trace != nil ? 1 : 0) }
        }
        if let redirectCheck = settings.redirectCheck {
            set(CURLOPT_HEADERDATA, Unmanaged.passUnretained(transfer).toOpaque())
            transfer.redirectCheck = redirectCheck
        }
        set(CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(transfer.extraHeaders ?? settings.headers))
        setMethod(transfer.request)
        if !settings.sharesCookies {
            // The last transfer's cookies are not this one's.
            set(CURLOPT_COOKIELIST, "ALL")
        }
        // Waiting for an existing connection to say whether it multiplexes only pays off
        // where HTTP/2 is possible: over TLS. For plain HTTP it would hold back the first
        // wave of transfers for a round trip.
        set(CURLOPT_PIPEWAIT, transfer.request.url.utf8.starts(with: "https:".utf8) ? 1 : 0)
        if let limits = transfer.limits {
            set(CURLOPT_TIMEOUT_MS, milliseconds(limits.timeout))
            // The body is cut at the limit by the write callback instead of refused.
            record(CCurl_easy_setopt_off_t(raw, CURLOPT_MAXFILESIZE_LARGE, 0))
            limitsChanged = true
        } else if limitsChanged {
            let configuration = settings.configuration
            set(CURLOPT_TIMEOUT_MS, configuration.timeout.map(milliseconds) ?? 0)
            record(CCurl_easy_setopt_off_t(raw, CURLOPT_MAXFILESIZE_LARGE, Self.declaredSizeLimit(configuration)))
            limitsChanged = false
        }
        return setupFailure
    }

    /// Refuses a declared Content-Length over the limit before any byte is read; the write
    /// callback enforces the limit on decoded bytes and on bodies of unknown length. Not when
    /// exchanges are captured: libcurl refuses at the Content-Length line, and WARC wants the
    /// whole head and the body up to the limit (`WARC-Truncated: length`). 0: no limit.
    private static func declaredSizeLimit(_ configuration: FetchConfiguration) -> curl_off_t {
        configuration.capturesExchanges ? 0 : curl_off_t(configuration.maxSize)
    }

    /// The request's method and body, as curl sets them: a body through POSTFIELDS (copied by
    /// libcurl), so that libcurl's redirect rules for POST apply (301, 302 and 303 go on as
    /// GET); CUSTOMREQUEST only for a method other than the one libcurl would send anyway;
    /// NOBODY for HEAD. A handle a request changed is set back to a plain GET for the next.
    private func setMethod(_ request: Request) {
        if methodChanged {
            record(CCurl_easy_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, -1))
            set(CURLOPT_POSTFIELDS, nil as UnsafeMutableRawPointer?)
            set(CURLOPT_CUSTOMREQUEST, nil as String?)
            set(CURLOPT_NOBODY, 0)
            set(CURLOPT_HTTPGET, 1)
            methodChanged = false
        }
        let method = request.method
        if request.isHead {
            set(CURLOPT_NOBODY, 1)
            methodChanged = true
            return
        }
        if let body = request.body ?? (method == "POST" ? [] : nil) {
            record(CCurl_easy_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies `size` bytes from the pointer, which must not be NULL
                // (NULL would mean "no body" and leave the method alone).
                set(CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? emptyBody))
            }
            methodChanged = true
            if let method, method != "POST" { set(CURLOPT_CUSTOMREQUEST, method) }
        } else if let method, method != "GET" {
            set(CURLOPT_CUSTOMREQUEST, method)
            methodChanged = true
        }
    }

    /// libcurl's message for the last failure on this handle, if it wrote one.
    var errorDetail: String {
        String(cString: errorBuffer)
    }

    func info(_ info: CURLINFO) -> Int {
        var value = 0
        _ = CCurl_easy_getinfo_long(raw, info, &value)
        return value
    }

    func info(_ info: CURLINFO) -> Int64 {
        var value: curl_off_t = 0
        _ = CCurl_easy_getinfo_off_t(raw, info, &value)
        return Int64(value)
    }

    func info(_ info: CURLINFO) -> String? {
        var value: UnsafePointer<CChar>?
        guard CCurl_easy_getinfo_string(raw, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// Every value of header `name` in the last response, in order, as libcurl's header API
    /// keeps them.
    func headerValues(_ name: String) -> [String] {
        var values: [String] = []
        var header: UnsafeMutablePointer<curl_header>?
        var index = 0
        while curl_easy_header(raw, name, index, UInt32(CURLH_HEADER), -1, &header) == CURLHE_OK, let header {
            values.append(String(cString: header.pointee.value))
            index += 1
            if index >= header.pointee.amount { break }
        }
        return values
    }

    // MARK: setopt helpers

    private func record(_ code: CURLcode) {
        if code != CURLE_OK && setupFailure == CURLE_OK { setupFailure = code }
    }

    private func set(_ option: CURLoption, _ value: Int) {
        record(CCurl_easy_setopt_long(raw, option, value))
    }

    private func set(_ option: CURLoption, _ value: String?) {
        record(CCurl_easy_setopt_string(raw, option, value))
    }

    private func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) {
        record(CCurl_easy_setopt_pointer(raw, option, value))
    }

    private func milliseconds(_ seconds: Double) -> Int {
        Int(min(max(1, (seconds * 1000).rounded(.up)), Double(Int32.max)))
    }
}

/// What an empty body is copied from (no byte of it is read). `nonisolated(unsafe)`: a
/// constant address whose memory nothing writes.
nonisolated(unsafe) private let emptyBody = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

/// CURLOPT_WRITEFUNCTION: hands body bytes to the transfer. Returning fewer bytes than given
/// makes libcurl abort the transfer, which is how the size limit stops a download.
private func easyHandleWrite(
    _ data: UnsafeMutablePointer<CChar>, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
    if transfer.received == 0, let easy = transfer.easy {
        transfer.bodyStarts(easy)
    }
    return transfer.receive(UnsafeRawBufferPointer(start: data, count: size * count))
}

/// CURLOPT_HEADERFUNCTION (set for crawls only): a response header line. Returning fewer
/// bytes than given aborts the transfer, which is how a redirect out of the crawl's scope is
/// not followed.
private func easyHandleHeader(
    _ data: UnsafeMutablePointer<CChar>, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
    return transfer.headerArrived(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
}

/// CURLOPT_DEBUGFUNCTION (set when exchanges are captured or traced): request and response
/// bytes as sent and received, for the transfer's capture, and libcurl's notes, for its trace.
private func easyHandleDebug(
    _ handle: UnsafeMutableRawPointer, _ type: curl_infotype, _ data: UnsafeMutablePointer<CChar>, _ size: Int,
    _ clientp: UnsafeMutableRawPointer?
) -> Int32 {
    let transfer = Unmanaged<Transfer>.fromOpaque(clientp!).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    transfer.trace?.write(type, bytes)
    guard let capture = transfer.capture else { return 0 }
    switch type {
    case CURLINFO_HEADER_OUT: capture.sent(bytes, isHead: true)
    case CURLINFO_DATA_OUT: capture.sent(bytes, isHead: false)
    case CURLINFO_HEADER_IN: capture.headerLine(bytes)
    case CURLINFO_DATA_IN: capture.bodyData(bytes)
    default: break
    }
    return 0
}

/// CURLOPT_PREREQFUNCTION: a connection is made (TCP and TLS) or reused and a request is about
/// to go out on it. Counting these tells a transfer still connecting from one that was waiting
/// for its response, which libcurl's error codes don't.
private func easyHandlePrereq(
    _ clientp: UnsafeMutableRawPointer?, _ primaryIP: UnsafeMutablePointer<CChar>,
    _ localIP: UnsafeMutablePointer<CChar>, _ primaryPort: Int32, _ localPort: Int32
) -> Int32 {
    let transfer = Unmanaged<Transfer>.fromOpaque(clientp!).takeUnretainedValue()
    transfer.requestSent()
    if let capture = transfer.capture, let easy = transfer.easy {
        capture.begin(targetURI: easy.info(CURLINFO_EFFECTIVE_URL) ?? transfer.request.url,
                      ipAddress: String(cString: primaryIP))
    }
    return CURL_PREREQFUNC_OK
}
