import Foundation
import Testing
@testable import ParFetch

/// The page scanner reads the default fields without building a tree; libxml2's DOM (what lxml
/// uses) is the reference it must agree with on every fixture page.
@Suite("Page scanner against the libxml2 DOM")
struct ScannerReferenceTests {
    static let pages = [
        "index.html", "article.html", "latin1.html", "sjis.html", "base.html", "links.html", "entities.html",
        "broken.html", "products.html", "large.html", "bench-page.html",
    ]

    /// The fields as libxml2's DOM has them.
    static func reference(_ html: UnsafeBufferPointer<UInt8>) throws -> ScannedPage {
        let document = try #require(HTMLDocument(utf8: html, url: nil))
        func first(_ xpath: String) throws -> String? {
            try document.strings(CompiledXPath(xpath)).first
        }
        func trimmed(_ value: String?) -> String? {
            value.map { String($0.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()) }
        }
        let relCanonical = "contains(concat(' ', translate(normalize-space(@rel), 'CANONICAL', 'canonical'), ' '), ' canonical ')"
        return ScannedPage(
            title: try first("(//title)[1]"),
            description: try first(
                "(//meta[translate(@name, 'DESCRIPTION', 'description') = 'description'][@content])[1]/@content"
            )?.collapsingWhiteSpace(),
            ogDescription: try first("(//meta[@property = 'og:description'][@content])[1]/@content")?.collapsingWhiteSpace(),
            lang: trimmed(try first("(//html/@lang)[1]")),
            canonical: trimmed(try first("(//link[\(relCanonical)][@href])[1]/@href")),
            base: trimmed(try first("(//base[@href])[1]/@href")),
            links: try document.strings(CompiledXPath("//a/@href | //area/@href")).compactMap(trimmed))
    }

    @Test(arguments: pages)
    func sameFieldsAsLibxml2(page: String) throws {
        let body = try Fixture.page(page)
        let contentType = "text/html"
        let html = body.withUnsafeBytes { raw in
            Charset.decode(raw, from: Charset.detect(raw, contentType: contentType).encoding)
        }
        let (scanned, reference) = try html.withUnsafeBufferPointer { html in
            (PageScanner.scan(html), try Self.reference(html))
        }
        #expect(scanned.title == reference.title)
        #expect(scanned.description == reference.description)
        #expect(scanned.ogDescription == reference.ogDescription)
        #expect(scanned.lang == reference.lang)
        #expect(scanned.canonical == reference.canonical)
        #expect(scanned.base == reference.base)
        // libxml2 2.9 (Debian 12) reads <textarea> content as markup; HTML, browsers and
        // libxml2 2.14 read it as text, as the scanner does. That one difference is expected.
        #expect(scanned.links == reference.links.filter { $0 != "/not-a-link/textarea" })
        if page == "broken.html" { #expect(reference.links.contains("/not-a-link/textarea")) }
    }
}
