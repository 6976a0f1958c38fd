import CLibCurl

extension URLCheck {
    /// `url` with its password, if it has one, shown as `***` (`http://user:***@host/`), for
    /// what parfetch writes about a URL (`final_url`, messages) rather than fetches: the
    /// record's `url` is the line as given, and that is enough of the secret to echo. Read
    /// with libcurl's URL API, any scheme (a redirect may go to `ftp://`); a URL without an
    /// `@`, without a password or with an empty one, or one libcurl can't parse is returned as
    /// it is, and only a URL with an `@` is parsed at all.
    static func redactingPassword(_ url: String) -> String {
        // Every record's final URL comes here: the common case is one scan of its bytes.
        var bytes = url
        guard bytes.withUTF8({ $0.contains(UInt8(ascii: "@")) }) else { return url }
        CurlGlobal.initialize()
        guard let handle = curl_url() else { return url }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, UInt32(CURLU_NON_SUPPORT_SCHEME)) == CURLUE_OK else { return url }
        var password: UnsafeMutablePointer<CChar>?
        defer { curl_free(password) }
        guard curl_url_get(handle, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK, let password, password.pointee != 0,
              curl_url_set(handle, CURLUPART_PASSWORD, "***", 0) == CURLUE_OK else { return url }
        var redacted: UnsafeMutablePointer<CChar>?
        defer { curl_free(redacted) }
        guard curl_url_get(handle, CURLUPART_URL, &redacted, 0) == CURLUE_OK, let redacted else { return url }
        return String(cString: redacted)
    }
}

/// What parfetch writes about secrets, for the command's messages and WARC's warcinfo.
public enum Redacted {
    /// `url` with its password, if it has one, shown as `***`.
    public static func url(_ url: String) -> String {
        URLCheck.redactingPassword(url)
    }
}
