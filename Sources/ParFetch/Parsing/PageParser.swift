import Synchronization

/// Turns a response into `PageData`: decides whether the body is HTML, decodes it to UTF-8 as
/// browsers do, reads the default fields with `PageScanner` and runs the extraction rules on a
/// libxml2 document. This is what parfetch's parse workers run. Not Sendable: use one per
/// thread.
public final class PageParser {
    private let extractor: Extractor
    private let resolver = URLResolver()

    public init(rules: [ExtractionRule] = []) {
        extractor = Extractor(rules)
    }

    /// The page's data, or nil when the body is not HTML.
    public func parse(_ response: Response) -> PageData? {
        EventLoop.checkNotOnLoop()
        guard Self.isHTML(contentType: response.contentType, body: response.body) else { return nil }
        // Most pages are UTF-8 already: then the body is scanned where it is, not copied.
        let decoded = response.body.withUnsafeBytes { body in
            Charset.decodeIfNeeded(body, from: Charset.detect(body, contentType: response.contentType).encoding)
        }
        return (decoded ?? response.body).withUnsafeBufferPointer { html in
            let scanned = PageScanner.scan(html)
            var page = PageData()
            page.title = scanned.title
            page.description = scanned.description ?? scanned.ogDescription
            page.lang = scanned.lang
            // Without a usable base nothing resolves, and the page has no links.
            if resolver.setBase(response.finalURL ?? response.url),
               let base = scanned.base, let absolute = resolver.resolve(base) {
                resolver.setBase(absolute)
            }
            page.canonical = scanned.canonical.flatMap(resolver.resolve)
            var seen = Set<String>()
            seen.reserveCapacity(scanned.links.count)
            for link in scanned.links {
                if let absolute = resolver.resolve(link), seen.insert(absolute).inserted {
                    page.links.append(absolute)
                }
            }
            if !extractor.isEmpty, let document = HTMLDocument(utf8: html, url: response.finalURL) {
                page.extract = extractor.extract(from: document).map { PageData.Extracted(name: $0.0, values: $0.1) }
            }
            return page
        }
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
