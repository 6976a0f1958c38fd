#if canImport(Glibc)
import Glibc
#endif

/// What went over the wire for one transfer, kept for WARC: every HTTP exchange (a request and
/// its response; one for each redirect hop), with the bytes exactly as sent and as received:
/// chunk framing and Content-Encoding intact.
struct HTTPCapture: Sendable {
    struct Exchange: Sendable {
        /// The URL the request was for, as libcurl has it (a password in it included: the WARC
        /// record shows it as `***`).
        var targetURI: String
        /// The address the request went to (`CURLINFO_PRIMARY_IP`).
        var ipAddress: String?
        /// When the request went out (UTC wall clock): both of its WARC records carry it.
        var date: timespec
        /// The request's head and body as sent (credentials included: the WARC record shows
        /// them as `***`).
        var request: [UInt8] = []
        /// The length of the request's head.
        var requestHeadLength = 0
        /// The response's head and body as received.
        var response: [UInt8] = []
        /// The length of the response's head, up to and with its blank line; 0 until it is whole.
        var responseHeadLength = 0
        /// Why the response's body is not all the server meant to send, if it is not.
        var truncated: Truncation?

        var responseBody: ArraySlice<UInt8> { response[responseHeadLength...] }
    }

    /// WARC's `WARC-Truncated` reasons.
    enum Truncation: String, Sendable {
        /// A size limit (`--max-size`).
        case length
        /// A time limit.
        case time
        /// The connection broke.
        case disconnect
        /// Anything else (the transfer was stopped).
        case unspecified
    }

    /// In the order they happened; the last is the final response.
    var exchanges: [Exchange]

    /// The bytes kept, for the parse queue's memory bound.
    var byteCount: Int { exchanges.reduce(0) { $0 + $1.request.count + $1.response.count } }
}

/// Collects a transfer's `HTTPCapture` from libcurl's debug callback (the request and response
/// bytes) and pre-request callback (a new hop starts). Confined to the loop thread, like the
/// transfer it belongs to.
final class CaptureRecorder {
    private var done: [HTTPCapture.Exchange] = []
    private var current: HTTPCapture.Exchange?
    /// Bytes of the current exchange arrive no more: a request went out after its response
    /// began (a proxy's CONNECT for the next hop), so whatever comes until the next hop is not
    /// part of it.
    private var closed = false

    /// A request is about to go out to `targetURI` at `ipAddress`.
    func begin(targetURI: String, ipAddress: String?) {
        keepCurrent()
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        current = HTTPCapture.Exchange(targetURI: targetURI, ipAddress: ipAddress, date: now)
        closed = false
    }

    /// Request bytes went out: its head (`isHead`), or its body.
    func sent(_ bytes: UnsafeRawBufferPointer, isHead: Bool) {
        guard !closed, current != nil else { return }
        if current!.response.isEmpty {
            current!.request.append(contentsOf: bytes)
            if isHead { current!.requestHeadLength = current!.request.count }
        } else {
            closed = true
        }
    }

    /// A response header line arrived (libcurl passes them one at a time, the status line
    /// first and the blank line last).
    func headerLine(_ bytes: UnsafeRawBufferPointer) {
        guard !closed, current != nil, current!.responseHeadLength == 0 else { return }
        current!.response.append(contentsOf: bytes)
        guard bytes.count <= 2, bytes.last == UInt8(ascii: "\n") else { return }
        // An interim response (100 Continue, 103 Early Hints) is not the response: the final
        // one follows on the same request.
        let statusDigit = current!.response.dropFirst("HTTP/1.1 ".utf8.count).first
        if statusDigit == UInt8(ascii: "1") {
            current!.response.removeAll()
        } else {
            current!.responseHeadLength = current!.response.count
        }
    }

    /// Body bytes arrived, before libcurl removed chunk framing or content coding.
    func bodyData(_ bytes: UnsafeRawBufferPointer) {
        guard !closed, current != nil, current!.responseHeadLength > 0 else { return }
        current!.response.append(contentsOf: bytes)
    }

    /// The transfer ended; `truncated` says why its last body is cut short, if it is. Nil when
    /// no response head was ever whole: there is nothing to archive.
    func finish(truncated: HTTPCapture.Truncation?) -> HTTPCapture? {
        keepCurrent()
        guard !done.isEmpty else { return nil }
        done[done.count - 1].truncated = truncated
        defer { done = [] }
        return HTTPCapture(exchanges: done)
    }

    /// Keeps the current exchange if its response head arrived whole (a request that got no
    /// answer, retried by libcurl on a fresh connection or failed, is left out).
    private func keepCurrent() {
        if let exchange = current, exchange.responseHeadLength > 0 {
            done.append(exchange)
        }
        current = nil
    }
}
