import CIDN2
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

    /// The URL to fetch, taken apart, or why `text` can't be fetched.
    func check(_ text: String) -> Result<CheckedURL, FetchError> {
        // Parsed as the fetch will parse it (no flags): what is accepted here, libcurl fetches.
        let code = set(text)
        switch code {
        case CURLUE_OK:
            break
        case CURLUE_BAD_SCHEME:
            return .failure(FetchError(.invalidURL, "not an absolute URL: it lacks a scheme such as https://"))
        case CURLUE_UNSUPPORTED_SCHEME:
            return .failure(unsupportedScheme(of: text))
        default:
            return .failure(whiteSpace(in: text) ?? FetchError(.invalidURL, String(cString: curl_url_strerror(code))))
        }
        // libcurl fetches more schemes than we do (ftp, file, …).
        guard let scheme = part(CURLUPART_SCHEME), scheme == "http" || scheme == "https" else {
            return .failure(unsupportedScheme(of: text))
        }
        if let error = convertInternationalHost() { return .failure(error) }
        // libcurl's own spelling of the URL (e.g. `http:/a/x` becomes `http://a/x`), so that
        // what the scheduler reads from it (host, robots.txt location, path) is what libcurl
        // will fetch. Read back until it no longer changes: libcurl normalises one step a
        // parse (`http://%33/` becomes `http://3/`, which the next parse, the fetch's own,
        // reads as the IPv4 address `http://0.0.0.3/`).
        var spelling = text
        for _ in 0..<Self.maximumRespellings {
            var url: UnsafeMutablePointer<CChar>?
            defer { curl_free(url) }
            guard curl_url_get(handle, CURLUPART_URL, &url, 0) == CURLUE_OK, let url else {
                return .failure(FetchError(.invalidURL, "libcurl accepts it but cannot spell it back"))
            }
            if spelling.utf8.elementsEqual(UnsafeRawBufferPointer(start: url, count: strlen(url))) {
                // The usual case: the same text, kept once (a look-ahead holds 100,000 of them).
                return checked(spelling, https: scheme == "https")
            }
            spelling = String(cString: url)
            let code = set(spelling)
            guard code == CURLUE_OK else {
                return .failure(FetchError(.invalidURL, "libcurl reads it as \(spelling), which it then refuses: "
                    + String(cString: curl_url_strerror(code))))
            }
        }
        return .failure(FetchError(.invalidURL, "libcurl's spelling of it does not settle (last: \(spelling))"))
    }

    /// `reference` (a redirect's `Location`) resolved against `base` as libcurl resolves it
    /// when it follows the redirect, checked.
    func resolve(_ reference: String, against base: String) -> Result<CheckedURL, FetchError> {
        var resolved: UnsafeMutablePointer<CChar>?
        defer { curl_free(resolved) }
        guard set(base) == CURLUE_OK, curl_url_set(handle, CURLUPART_URL, reference, 0) == CURLUE_OK,
              curl_url_get(handle, CURLUPART_URL, &resolved, 0) == CURLUE_OK, let resolved
        else { return .failure(FetchError(.invalidURL, "not a URL libcurl can resolve: \(reference)")) }
        return check(String(cString: resolved))
    }

    /// Parses after which libcurl's spelling must be stable. Two are seen (a decoded host that
    /// then reads as an address); more would be a libcurl change worth hearing about.
    private static let maximumRespellings = 4

    /// The value for `spelling`, which the handle holds: the host key, and where the path and
    /// the fragment start, from the lengths of the parts that end libcurl's spelling
    /// (`path[?query][#fragment]`).
    private func checked(_ spelling: String, https: Bool) -> Result<CheckedURL, FetchError> {
        guard let host = part(CURLUPART_HOST) else {
            return .failure(FetchError(.invalidURL, "no host name"))
        }
        // For http and https libcurl always has a port: the scheme's default if none is given.
        let port = part(CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)) ?? (https ? "443" : "80")
        let path = part(CURLUPART_PATH) ?? ""
        let query = part(CURLUPART_QUERY)
        let fragment = part(CURLUPART_FRAGMENT)
        let length = spelling.utf8.count
        let fragmentStart = length - (fragment.map { $0.utf8.count + 1 } ?? 0)
        let pathStart = fragmentStart - (query.map { $0.utf8.count + 1 } ?? 0) - path.utf8.count
        return .success(CheckedURL(absolute: spelling, host: host.lowercased(), port: port,
                                   isHTTPS: https, pathStart: pathStart, fragmentStart: fragmentStart))
    }

    /// Writes an internationalised host name (`bücher.example`) in its ASCII form
    /// (`xn--bcher-kva.example`), as libcurl would before connecting (libidn2, the same
    /// flags), but from UTF-8: libcurl 7.88 converts from the locale's encoding, which is
    /// ASCII unless the program set one, and then refuses the URL only when it fetches it.
    /// The host key is then one for both spellings. Returns why the name can't be converted.
    private func convertInternationalHost() -> FetchError? {
        guard var host = part(CURLUPART_HOST), !host.withUTF8({ $0.allSatisfy { $0 < 0x80 } }) else { return nil }
        let name = Array(host.utf8) + [0]
        var ace: UnsafeMutablePointer<UInt8>?
        var code = idn2_lookup_u8(name, &ace, Int32(IDN2_NFC_INPUT.rawValue | IDN2_NONTRANSITIONAL.rawValue))
        if code != IDN2_OK.rawValue {
            // Then UTS 46's transitional processing, for IDNA 2003 names, as libcurl does.
            idn2_free(ace)
            ace = nil
            code = idn2_lookup_u8(name, &ace, Int32(IDN2_TRANSITIONAL.rawValue))
        }
        defer { idn2_free(ace) }
        guard code == IDN2_OK.rawValue, let ace else {
            return FetchError(.invalidURL, "host name \(host) is not a valid internationalised domain name: "
                + String(cString: idn2_strerror(code)))
        }
        let ascii = String(cString: ace)
        guard curl_url_set(handle, CURLUPART_HOST, ascii, 0) == CURLUE_OK else {
            return FetchError(.invalidURL, "libcurl refuses \(ascii), the ASCII form of host name \(host)")
        }
        return nil
    }

    /// Where white space made libcurl refuse `text` ("Bad path", "Bad query"), if it did:
    /// libcurl accepts the URL once its spaces and tabs are percent-encoded. Its own flag for
    /// spaces (CURLU_ALLOW_SPACE) would say so for spaces only, never for tabs.
    private func whiteSpace(in text: String) -> FetchError? {
        guard let first = text.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        var encoded = ""
        for character in text {
            switch character {
            case " ": encoded += "%20"
            case "\t": encoded += "%09"
            default: encoded.append(character)
            }
        }
        guard set(encoded) == CURLUE_OK else { return nil }
        let column = text.distance(from: text.startIndex, to: first) + 1
        return FetchError(.invalidURL, text[first] == " " ? "contains a space at column \(column); percent-encode it as %20"
            : "contains a tab at column \(column); percent-encode it as %09")
    }

    /// The error for a URL whose scheme libcurl knows but we don't fetch, or doesn't know; it
    /// names the scheme when libcurl can read it.
    private func unsupportedScheme(of text: String) -> FetchError {
        return FetchError(.unsupportedScheme, scheme(of: text).map { "scheme \"\($0)\" is not supported (only http and https)" }
            ?? "its scheme is not supported (only http and https)")
    }

    /// Parses `url` on its own. A handle that holds a URL would take a new one as relative to
    /// it (as a redirect's target): `not a url` after `ftp://x/` reads as `ftp://x/not%20a%20url`.
    private func set(_ url: String, flags: UInt32 = 0) -> CURLUcode {
        _ = curl_url_set(handle, CURLUPART_URL, nil, 0)
        return curl_url_set(handle, CURLUPART_URL, url, flags)
    }

    /// A part of the URL the handle holds, as libcurl spells it.
    private func part(_ part: CURLUPart, flags: UInt32 = 0) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        defer { curl_free(value) }
        guard curl_url_get(handle, part, &value, flags) == CURLUE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// The scheme of `url` as libcurl reads it, lower-cased, whether or not libcurl fetches it
    /// (`ftp`, `gopher`); nil when it can't parse `url`.
    func scheme(of url: String) -> String? {
        guard set(url, flags: UInt32(CURLU_NON_SUPPORT_SCHEME)) == CURLUE_OK else { return nil }
        return part(CURLUPART_SCHEME)
    }

    /// The host of `url` as libcurl parses it, lower-cased, followed by `:port` only when the
    /// URL names a port other than its scheme's default: `example.com`, `example.com:8080`,
    /// `[::1]:8080` (wget's directory names). nil when libcurl can't parse `url`.
    func hostWithNonDefaultPort(of url: String) -> String? {
        guard set(url) == CURLUE_OK, let host = part(CURLUPART_HOST) else { return nil }
        return host.lowercased() + (part(CURLUPART_PORT, flags: UInt32(CURLU_NO_DEFAULT_PORT)).map { ":" + $0 } ?? "")
    }
}
