/// The extension a saved body's file gets, from a fixed table of media types. Only the table's
/// own strings ever reach a file name: the server's Content-Type selects an entry, it is never
/// copied.
enum SavedFileExtension {
    /// Anything the table does not name, or no Content-Type at all.
    static let fallback = "bin"

    private static let table: [String: String] = [
        "text/html": "html",
        "application/xhtml+xml": "xhtml",
        "text/plain": "txt",
        "application/json": "json",
        "text/css": "css",
        "application/javascript": "js",
        "text/javascript": "js",
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/gif": "gif",
        "image/webp": "webp",
        "image/svg+xml": "svg",
        "application/pdf": "pdf",
        "application/xml": "xml",
        "text/xml": "xml",
        "text/csv": "csv",
    ]

    /// The extension for a Content-Type header value: its media type (before any `;`
    /// parameters), trimmed and lower-cased, looked up in the table.
    static func forContentType(_ contentType: String?) -> String {
        guard let contentType else { return fallback }
        let media = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = media.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        return table[String(trimmed).lowercased()] ?? fallback
    }
}
