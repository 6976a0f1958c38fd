import CLibCurl

/// Resolves the references of a page (links, canonical, `<base href>`) against its base URL
/// with libcurl's URL parser: the same parser that fetches, so no hand-written URL code.
/// Not Sendable: it reuses libcurl handles; one per parse worker.
final class URLResolver {
    private var base: OpaquePointer?
    private var fast: FastResolution?
    private let usesFastPath: Bool

    /// `fastPath: false` sends every reference through libcurl (the tests' reference).
    init(fastPath: Bool = true) {
        CurlGlobal.initialize()
        usesFastPath = fastPath
    }

    deinit {
        if let base { curl_url_cleanup(base) }
    }

    /// Sets the URL references are resolved against (an http or https URL); false if it is
    /// not a URL, and then nothing resolves until a base is set.
    @discardableResult
    func setBase(_ url: String) -> Bool {
        guard let handle = curl_url() else { return false }
        if let base { curl_url_cleanup(base) }
        base = nil
        fast = nil
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else {
            curl_url_cleanup(handle)
            return false
        }
        // libcurl 7.88 keeps a base's fragment when resolving "?query" against it.
        _ = curl_url_set(handle, CURLUPART_FRAGMENT, nil, 0)
        base = handle
        fast = usesFastPath ? FastResolution(
            scheme: part(CURLUPART_SCHEME, of: handle) ?? "", host: part(CURLUPART_HOST, of: handle) ?? "",
            port: part(CURLUPART_PORT, of: handle), path: part(CURLUPART_PATH, of: handle) ?? "",
            hasUserInfo: part(CURLUPART_USER, of: handle) != nil) : nil
        return true
    }

    private func part(_ part: CURLUPart, of handle: OpaquePointer) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, part, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }

    /// `reference` made absolute, without its fragment; nil unless it is an http(s) URL.
    func resolve(_ reference: String) -> String? {
        if let resolved = fast?.resolve(reference) { return resolved }
        guard let base, let handle = curl_url_dup(base) else { return nil }
        defer { curl_url_cleanup(handle) }
        // "" and "#…" name the base document itself (libcurl would drop its last segment).
        if !reference.isEmpty && !reference.hasPrefix("#") {
            guard curl_url_set(handle, CURLUPART_URL, reference, 0) == CURLUE_OK else { return nil }
        }
        // libcurl refuses schemes it does not know (mailto:, javascript:); it knows more than
        // http(s), such as ftp: and file:.
        guard let scheme = part(CURLUPART_SCHEME, of: handle), scheme == "http" || scheme == "https" else { return nil }
        _ = curl_url_set(handle, CURLUPART_FRAGMENT, nil, 0)
        lowercaseHost(handle)
        return url(of: handle)
    }

    /// Host names are case-insensitive; browsers write them in lower case, and so do we, so
    /// that links differing only there are one link.
    private func lowercaseHost(_ handle: OpaquePointer) {
        var host: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK, let host else { return }
        defer { curl_free(host) }
        var hasUpper = false
        var cursor = host
        while cursor.pointee != 0 {
            if (65...90).contains(cursor.pointee) {
                cursor.pointee += 32
                hasUpper = true
            }
            cursor += 1
        }
        if hasUpper { _ = curl_url_set(handle, CURLUPART_HOST, host, 0) }
    }

    private func url(of handle: OpaquePointer) -> String? {
        var url: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, CURLUPART_URL, &url, 0) == CURLUE_OK, let url else { return nil }
        defer { curl_free(url) }
        return String(cString: url)
    }
}
