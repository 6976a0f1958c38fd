/// What a sitemap file holds (sitemaps.org): the URLs of a `<urlset>` or the sitemaps of a
/// `<sitemapindex>`, as read by `SitemapReader`, with what was left out and why.
///
/// A file is read as far as it goes: a body that breaks off (malformed XML, a corrupt gzip
/// member) keeps the entries read before the break, with the `error` saying where it broke.
struct Sitemap: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// `<urlset>`: pages to fetch.
        case urlset
        /// `<sitemapindex>`: more sitemaps to read.
        case index
    }

    /// nil when the body is not a sitemap at all (`error` says what it is instead).
    var kind: Kind?
    /// The `<loc>` of each entry, in file order, that is an http(s) URL: pages for a urlset,
    /// sitemaps for an index. Not filtered by host (the crawl's scope decides that), nor
    /// de-duplicated (the crawl's seen-set does).
    var entries: [CheckedURL] = []
    /// More entries, or more bytes, than the limits allow: the rest of the file was not read.
    var truncated = false
    /// Entries whose `<loc>` is missing, empty, too long, holds an entity that was not
    /// expanded, or is not an http(s) URL. They do not fail the file.
    var invalidEntries = 0
    /// Bytes of XML read (after inflating a gzip body).
    var bytesRead = 0
    /// Why the body is not a sitemap, or where reading it stopped early; nil when it was read
    /// to its end (or to a limit: see `truncated`).
    var error: SitemapError?

    /// The pages of a urlset (none for an index).
    var urls: [CheckedURL] { kind == .urlset ? entries : [] }
    /// The sitemaps of an index (none for a urlset).
    var sitemaps: [CheckedURL] { kind == .index ? entries : [] }
}

/// Why a body is not a sitemap, or why reading it stopped before its end.
public struct SitemapError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable {
        case empty
        case notXML(line: Int, message: String)
        case notASitemap(root: String)
        case noRoot(withinBytes: Int)
        case malformed(line: Int, message: String)
        case gzipCorrupt
        case gzipTruncated
        case outOfMemory
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// The body is empty, or holds only white space (after inflating).
    static let empty = Self(.empty)
    /// The body is not XML: libxml2 stopped at `line` before any element.
    static func notXML(line: Int, message: String) -> Self { Self(.notXML(line: line, message: oneLine(message))) }
    /// The body is XML whose root element is `root` (its local name), not a sitemap's.
    static func notASitemap(root: String) -> Self { Self(.notASitemap(root: oneLine(root, limit: 64))) }
    /// The first `withinBytes` bytes (the byte limit) hold no element.
    static func noRoot(withinBytes: Int) -> Self { Self(.noRoot(withinBytes: withinBytes)) }
    /// The XML breaks off at `line`, after the sitemap's root element.
    static func malformed(line: Int, message: String) -> Self { Self(.malformed(line: line, message: oneLine(message))) }
    /// The gzip data is not valid (bad header, block or checksum).
    static let gzipCorrupt = Self(.gzipCorrupt)
    /// The gzip data ends inside a member.
    static let gzipTruncated = Self(.gzipTruncated)
    /// zlib or libxml2 could not allocate what it needed.
    static let outOfMemory = Self(.outOfMemory)

    /// Whether the body was not a sitemap at all (nothing could be read from it), as opposed
    /// to one that broke off after its start.
    public var isNotASitemap: Bool {
        switch code {
        case .empty, .notXML, .notASitemap, .noRoot: true
        case .malformed, .gzipCorrupt, .gzipTruncated, .outOfMemory: false
        }
    }

    public var description: String {
        switch code {
        case .empty: "not a sitemap: the body is empty"
        case .notXML(let line, let message): "not a sitemap: not XML (line \(line): \(message))"
        case .notASitemap(let root): "not a sitemap: the root element is <\(root)>, not <urlset> or <sitemapindex>"
        case .noRoot(let bytes): "not a sitemap: no element in its first \(bytes) bytes"
        case .malformed(let line, let message): "malformed XML at line \(line): \(message)"
        case .gzipCorrupt: "the gzip data is corrupt"
        case .gzipTruncated: "the gzip data ends early"
        case .outOfMemory: "out of memory reading the sitemap"
        }
    }

    /// libxml2's messages end in a newline and may quote the document: one line, printable,
    /// of bounded length.
    private static func oneLine(_ text: String, limit: Int = 200) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if result.unicodeScalars.count >= limit {
                result += "…"
                break
            }
            let isControl = scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            result.unicodeScalars.append(isControl ? " " : scalar)
        }
        return result.trimmingTrailingWhiteSpace()
    }
}
