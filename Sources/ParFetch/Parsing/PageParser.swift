import Synchronization

/// Turns a response into `PageData`: decides whether the body is HTML, decodes it to UTF-8 as
/// browsers do, reads the default fields with `PageScanner` and runs the extraction rules on a
/// libxml2 document. This is what parfetch's parse workers run. Not Sendable: use one per
/// thread.
public final class PageParser {
    private let extractor: Extractor
    private let resolver = URLResolver()
    private let maxLinks: Int?

    /// `maxLinks`: the most links a page's data keeps (nil: all of them); a page with more
    /// has `linksTruncated` set.
    public init(rules: [ExtractionRule] = [], maxLinks: Int? = nil) {
        extractor = Extractor(rules)
        self.maxLinks = maxLinks.map { max(0, $0) }
    }

    /// The page's data, or nil when the body is not HTML.
    public func parse(_ response: Response) -> PageData? {
        LoopThreads.checkNotOnLoop()
        guard Self.isHTML(contentType: response.contentType, body: response.body) else { return nil }
        // Most pages are UTF-8 already: then the body is scanned where it is, not copied.
        let decoded = response.body.withUnsafeBytes { body in
            Charset.decodeIfNeeded(body, from: Charset.detect(body, contentType: response.contentType).encoding)
        }
        return (decoded ?? response.body).withUnsafeBufferPointer { html in
            var page = PageData()
            let documentURL = response.finalURL ?? response.url
            var (scanned, links) = scan(html, documentURL: documentURL, base: nil)
            // A `<base>` after the first link applies to that link too: scan again knowing it
            // (rare: `<base>` belongs in `<head>`).
            if let base = scanned.base, links.lateBase {
                (scanned, links) = scan(html, documentURL: documentURL, base: base)
            }
            page.title = scanned.title
            page.description = scanned.description ?? scanned.ogDescription
            page.lang = scanned.lang
            page.canonical = links.usable ? scanned.canonical.flatMap(resolver.resolve) : nil
            page.links = links.links
            page.linksTruncated = links.truncated
            if !extractor.isEmpty, let document = HTMLDocument(utf8: html, url: response.finalURL) {
                page.extract = extractor.extract(from: document).map { PageData.Extracted(name: $0.0, values: $0.1) }
            }
            return page
        }
    }

    /// What `scan` collected: absolute links, de-duplicated, at most `maxLinks`.
    private struct Links {
        var links: [String] = []
        var seen = Set<String>()
        var truncated = false
        /// Whether the document URL was usable as a base (nothing resolves otherwise).
        var usable = false
        /// Whether a link came before the page's `<base>` and was resolved without it.
        var lateBase = false
    }

    /// Scans the page, resolving links as they are found against `base` (when known), else
    /// the page's `<base>` once seen, else `documentURL`; leaves `resolver` at the base the
    /// page's other URLs resolve against.
    private func scan(
        _ html: UnsafeBufferPointer<UInt8>, documentURL: String, base: String?
    ) -> (ScannedPage, Links) {
        var links = Links()
        links.usable = resolver.setBase(documentURL)
        var baseApplied = false
        func apply(_ base: String) {
            baseApplied = true
            if let absolute = resolver.resolve(base) { resolver.setBase(absolute) }
        }
        if links.usable, let base { apply(base) }
        let scanned = PageScanner.scan(html) { href, baseSoFar in
            // Without a usable base nothing resolves, and the page has no links.
            guard links.usable else { return false }
            if !baseApplied, let baseSoFar { apply(baseSoFar) }
            if !baseApplied { links.lateBase = true }
            guard let absolute = resolver.resolve(href) else { return true }
            // At the limit, only a link not seen yet makes the list truncated.
            if let maxLinks, links.links.count >= maxLinks {
                links.truncated = !links.seen.contains(absolute)
                return !links.truncated
            }
            if links.seen.insert(absolute).inserted { links.links.append(absolute) }
            return true
        }
        if links.usable && !baseApplied, let base = scanned.base { apply(base) }
        return (scanned, links)
    }

    /// HTML by its media type, or, without one, by its first bytes (as the MIME sniffing
    /// standard does for pages served without a type).
    static func isHTML(contentType: String?, body: [UInt8]) -> Bool {
        htmlMediaType(contentType) ?? sniffsAsHTML(body)
    }

    /// Whether a Content-Type names HTML; nil when there is none.
    static func htmlMediaType(_ contentType: String?) -> Bool? {
        guard let contentType, !contentType.isEmpty else { return nil }
        let media = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters().lowercased()
        } ?? ""
        return media == "text/html" || media == "application/xhtml+xml"
    }

    private static let htmlSignatures: [[UInt8]] = [
        "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table",
        "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<!--",
    ].map { Array($0.utf8) }

    static func sniffsAsHTML(_ body: [UInt8]) -> Bool {
        var start = 0
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < body.count, [0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(body[start]) { start += 1 }
        for signature in htmlSignatures {
            let end = start + signature.count
            guard end < body.count else { continue }
            let matches = zip(body[start..<end], signature).allSatisfy { byte, expected in
                (byte | (expected >= 0x61 && expected <= 0x7A ? 0x20 : 0)) == expected
            }
            // The tag name must end there (`<b>` but not `<bdi`); comments need no delimiter.
            if matches && (signature.count == 4 && signature == Array("<!--".utf8) || body[end] == 0x20 || body[end] == 0x3E) {
                return true
            }
        }
        return false
    }
}

private extension Substring {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
