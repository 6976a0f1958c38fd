import CLibCurl

extension FetchError {
    /// Classifies a libcurl result. `detail` is the transfer's error buffer (more precise
    /// than `curl_easy_strerror`), used as the message when present.
    ///
    /// Some codes mean more than one thing; what the transfer had reached tells them apart:
    /// `effectiveURL` is where it ended (a redirect's target, when libcurl refused to follow
    /// it), `readingHeaders` that a status line had arrived but no byte of the body.
    init(curlCode code: CURLcode, detail: String, effectiveURL: String? = nil, readingHeaders: Bool = false) {
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        switch code {
        // libcurl 7.88 says both with CURLE_RECV_ERROR, which is otherwise a reset; the
        // response is unusable as it stands, so trying again would only fetch it again.
        case CURLE_RECV_ERROR where detail.hasPrefix("Too large response headers"):
            self.init(.tooLarge, "response headers over libcurl's limit of 300 KiB in all (\(detail))")
        case CURLE_RECV_ERROR where detail.hasSuffix("in chunked-encoding"):
            self.init(.other, "malformed chunked encoding: \(detail)")
        // One header line over CURL_MAX_HTTP_HEADER (100 KiB): libcurl's header buffer
        // refuses to grow and it reports that as out of memory, without a message.
        case CURLE_OUT_OF_MEMORY where readingHeaders:
            self.init(.tooLarge, "a response header line over libcurl's limit of 100 KiB")
        // The list's URLs are checked before they reach libcurl: a scheme it refuses is a
        // redirect's target.
        case CURLE_UNSUPPORTED_PROTOCOL:
            if let effectiveURL, !Self.isHTTP(effectiveURL) {
                self.init(.unsupportedScheme, "a redirect went to another scheme: \(effectiveURL) (only http and https are followed)")
            } else {
                self.init(.unsupportedScheme, message)
            }
        default:
            self.init(Self.kind(of: code), message)
        }
    }

    private static func isHTTP(_ url: String) -> Bool {
        let scheme = url.prefix { $0 != ":" }.lowercased()
        return scheme == "http" || scheme == "https"
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
