import CLibCurl

#if canImport(Glibc)
import Glibc
#endif

/// Decides whether a list line is a URL parfetch can fetch, with libcurl's own URL parser, so
/// that what we accept is exactly what libcurl can fetch. Not Sendable: it reuses one `CURLU`
/// handle; give each thread its own.
final class URLCheck {
    private let handle: OpaquePointer

    init() {
        CurlGlobal.initialize()
        guard let handle = curl_url() else { fatalError("curl_url failed: out of memory") }
        self.handle = handle
    }

    deinit {
        curl_url_cleanup(handle)
    }

    /// The URL to fetch, or why `text` can't be fetched.
    func check(_ text: String) -> Result<String, FetchError> {
        guard let scheme = Self.scheme(of: text) else {
            return .failure(FetchError(.invalidURL, "not an absolute URL: it lacks a scheme such as https://"))
        }
        guard scheme == "http" || scheme == "https" else {
            return .failure(FetchError(.unsupportedScheme, "scheme \"\(scheme)\" is not supported (only http and https)"))
        }
        let code = curl_url_set(handle, CURLUPART_URL, text, 0)
        guard code == CURLUE_OK else {
            return .failure(FetchError(.invalidURL, String(cString: curl_url_strerror(code))))
        }
        // libcurl's own spelling of the URL (e.g. `http:/a/x` becomes `http://a/x`), so that
        // what the scheduler reads from it (host, robots.txt location, path) is what libcurl
        // will fetch. Read back until it no longer changes: libcurl normalises one step a
        // parse (`http://%33/` becomes `http://3/`, which the next parse, the fetch's own,
        // reads as the IPv4 address `http://0.0.0.3/`).
        var spelling = text
        for _ in 0..<Self.maximumRespellings {
            var url: UnsafeMutablePointer<CChar>?
            defer { curl_free(url) }
            guard curl_url_get(handle, CURLUPART_URL, &url, 0) == CURLUE_OK, let url,
                  !spelling.utf8.elementsEqual(UnsafeRawBufferPointer(start: url, count: strlen(url)))
            else {
                // The usual case: the same text, kept once (a look-ahead holds 100,000 of them).
                return .success(spelling)
            }
            spelling = String(cString: url)
            let code = curl_url_set(handle, CURLUPART_URL, spelling, 0)
            guard code == CURLUE_OK else {
                return .failure(FetchError(.invalidURL, "libcurl reads it as \(spelling), which it then refuses: "
                    + String(cString: curl_url_strerror(code))))
            }
        }
        return .failure(FetchError(.invalidURL, "libcurl's spelling of it does not settle (last: \(spelling))"))
    }

    /// Parses after which libcurl's spelling must be stable. Two are seen (a decoded host that
    /// then reads as an address); more would be a libcurl change worth hearing about.
    private static let maximumRespellings = 4

    /// The scheduling key of the URL last accepted by `check`: its host, lower-cased, and its
    /// port (the scheme's default when none is given), e.g. `example.com:443`. Two ports of one
    /// machine are two hosts, as two servers may listen there.
    func hostOfLastCheck() -> String {
        var host: UnsafeMutablePointer<CChar>?
        var port: UnsafeMutablePointer<CChar>?
        defer {
            curl_free(host)
            curl_free(port)
        }
        guard curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK, let host else { return "" }
        _ = curl_url_get(handle, CURLUPART_PORT, &port, UInt32(CURLU_DEFAULT_PORT))
        var key = String(cString: host).lowercased()
        if let port {
            key += ":" + String(cString: port)
        }
        return key
    }

    /// The host of `url` as libcurl parses it, lower-cased, followed by `:port` only when the
    /// URL names a port other than its scheme's default: `example.com`, `example.com:8080`,
    /// `[::1]:8080` (wget's directory names). nil when libcurl can't parse `url`.
    func hostWithNonDefaultPort(of url: String) -> String? {
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        var host: UnsafeMutablePointer<CChar>?
        var port: UnsafeMutablePointer<CChar>?
        defer {
            curl_free(host)
            curl_free(port)
        }
        guard curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK, let host else { return nil }
        _ = curl_url_get(handle, CURLUPART_PORT, &port, UInt32(CURLU_NO_DEFAULT_PORT))
        var name = String(cString: host).lowercased()
        if let port {
            name += ":" + String(cString: port)
        }
        return name
    }

    /// Whether `text` starts with a scheme other than http or https (checked without
    /// allocating: the link resolver asks for every link of every page).
    static func hasOtherScheme(_ text: String) -> Bool {
        var length = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: ":"):
                guard length > 0 else { return false }
                let scheme = text.utf8.prefix(length).lazy.map { $0 | 0x20 }
                return !(scheme.elementsEqual("http".utf8) || scheme.elementsEqual("https".utf8))
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                length += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
                guard length > 0 else { return false }
                length += 1
            default:
                return false
            }
        }
        return false
    }

    /// The lower-cased scheme of `text` (RFC 3986: a letter, then letters, digits, `+-.`, then
    /// `:`), or nil when it has none.
    static func scheme(of text: String) -> String? {
        var scheme = ""
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: ":"):
                return index == 0 ? nil : scheme
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                scheme.append(Character(Unicode.Scalar(byte | 0x20)))
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
                guard index > 0 else { return nil }
                scheme.append(Character(Unicode.Scalar(byte)))
            default:
                return nil
            }
        }
        return nil
    }
}
