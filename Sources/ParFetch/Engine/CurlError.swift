import CLibCurl

#if canImport(Glibc)
import Glibc
#endif

extension FetchError {
    /// What was known of a failed transfer besides its code, from libcurl's `CURLINFO_*`
    /// values and our own callbacks: some codes mean more than one thing, and where the
    /// transfer had got to tells them apart.
    struct CurlContext {
        /// Where the transfer ended (a redirect's target, when libcurl refused to follow it).
        var effectiveURL: String?
        /// A status line had arrived but no byte of the body.
        var readingHeaders = false
        /// Header bytes received over the whole transfer (CURLINFO_HEADER_SIZE), the line
        /// that broke libcurl's limit included.
        var headerBytes = 0
        /// The last response declared `Transfer-Encoding: chunked`.
        var chunked = false
        /// The socket error libcurl last saw (CURLINFO_OS_ERRNO); 0 when none.
        var socketErrno = 0
        /// The proxy every connection goes to (`ProxyURL.name`); nil when none is configured.
        var proxy: String?
        /// The redirect limit the transfer ran under (CURLOPT_MAXREDIRS).
        var maxRedirects: Int?
    }

    /// libcurl's limit on a response's header bytes in all (MAX_HTTP_RESP_HEADER_SIZE).
    static let curlHeaderLimit = 300 * 1024

    /// Classifies a libcurl result. `detail` is the transfer's error buffer (more precise
    /// than `curl_easy_strerror`), used as the message when present; never to classify (one
    /// hint, for an https URL answered in plain HTTP, reads its end: see there why).
    init(curlCode code: CURLcode, detail: String, context: CurlContext = CurlContext()) {
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        // libcurl 7.88 reports three failures as CURLE_RECV_ERROR and says which only in its
        // message; these facts tell them apart instead:
        // - too many header bytes: http.c adds each header line to CURLINFO_HEADER_SIZE, then
        //   fails once the headers pass 300 KiB, so the count is past the limit;
        // - a malformed chunk (http_chunks.c): the response is chunked and libcurl saw no
        //   socket error (a failed recv sets CURLINFO_OS_ERRNO, cf-socket.c);
        // - otherwise a recv failure: a reset.
        // In the first two the response is unusable as it stands, so trying again would only
        // fetch it again. (A reset mid-chunk over TLS leaves no errno in 7.88's OpenSSL
        // backend, so it counts as malformed: not retried. And the count is the transfer's:
        // redirects whose headers add up past 300 KiB, then a reset, would read as too large.)
        case CURLE_RECV_ERROR where context.headerBytes > Self.curlHeaderLimit:
            self.init(.tooLarge, "response headers over libcurl's limit of 300 KiB in all (\(detail))")
        case CURLE_RECV_ERROR where context.chunked && context.socketErrno == 0:
            self.init(.other, "malformed chunked encoding: \(detail)")
        // One header line over CURL_MAX_HTTP_HEADER (100 KiB): libcurl's header buffer
        // refuses to grow and it reports that as out of memory, without a message.
        case CURLE_OUT_OF_MEMORY where context.readingHeaders:
            self.init(.tooLarge, "a response header line over libcurl's limit of 100 KiB")
        // The list's URLs are checked before they reach libcurl: a scheme it refuses is a
        // redirect's target.
        case CURLE_UNSUPPORTED_PROTOCOL:
            if let effectiveURL = context.effectiveURL, let scheme = URLCheck().scheme(of: effectiveURL),
               scheme != "http" && scheme != "https" {
                self.init(.unsupportedScheme, "a redirect went to another scheme: \(URLCheck.redactingPassword(effectiveURL)) (only http and https are followed)")
            } else {
                self.init(.unsupportedScheme, message)
            }
        // With a proxy, every connection libcurl makes is to the proxy, and CURLE_PROXY is
        // about its handshake: the failure is the proxy's, not the site's.
        case CURLE_COULDNT_CONNECT where context.proxy != nil, CURLE_PROXY where context.proxy != nil:
            let reason = code == CURLE_COULDNT_CONNECT ? Self.refusal(context, message) : message
            self.init(.connect, "proxy \(context.proxy ?? ""): \(reason)")
        // libcurl 7.88 says only "Couldn't connect to server"; the socket's error says why.
        case CURLE_COULDNT_CONNECT:
            self.init(.connect, Self.refusal(context, message))
        case CURLE_TOO_MANY_REDIRECTS:
            self.init(.tooManyRedirects, context.maxRedirects.map { "more than \($0) redirects (--max-redirects)" } ?? message)
        case CURLE_PEER_FAILED_VERIFICATION:
            self.init(.tls, message + " (-k skips the verification)")
        // An https URL on a port that speaks plain HTTP: OpenSSL reads the HTTP answer as a
        // TLS record of an unknown version. That reason reaches us only as text: libcurl
        // takes it off OpenSSL's error queue into its message, and no CURLINFO_* value
        // carries it (OS errno and verify result are 0, as for every handshake failure). So
        // the message's end is read here, for this hint only; the kind stays the code's.
        case CURLE_SSL_CONNECT_ERROR where detail.hasSuffix("wrong version number"):
            self.init(.tls, message + "; the server may speak plain HTTP (try http://)")
        default:
            self.init(Self.kind(of: code), message)
        }
    }

    /// libcurl's message (which names the address and port tried), said to be a refusal when
    /// the socket's error was ECONNREFUSED.
    private static func refusal(_ context: CurlContext, _ message: String) -> String {
        context.socketErrno == Int(ECONNREFUSED) ? "connection refused: " + message : message
    }

    private static func kind(of code: CURLcode) -> Kind {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL:
            return .unsupportedScheme
        case CURLE_URL_MALFORMAT:
            return .invalidURL
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dns
        case CURLE_COULDNT_CONNECT, CURLE_PROXY:
            return .connect
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED:
            return .tls
        // A response cut short: the peer reset or closed the connection mid-way.
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return .reset
        case CURLE_TOO_MANY_REDIRECTS:
            return .tooManyRedirects
        case CURLE_FILESIZE_EXCEEDED:
            return .tooLarge
        case CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .http2
        case CURLE_ABORTED_BY_CALLBACK:
            return .interrupted
        default:
            return .other
        }
    }
}
