import CZlib
import Foundation
import Testing
@testable import ParFetch

/// Cases from the sitemaps.org protocol, sitemaps as sites write them, and hostile bodies
/// (gzip bombs, XXE, billion laughs).
@Suite struct SitemapReaderTests {
    static let sitemapURL = try! CheckedURL("https://example.com/sitemap.xml")
    static let namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"

    private static func read(_ body: [UInt8], limits: SitemapReader.Limits = .sitemapsOrg) -> Sitemap {
        SitemapReader(limits: limits).read(body, url: sitemapURL)
    }

    private static func read(_ xml: String, limits: SitemapReader.Limits = .sitemapsOrg) -> Sitemap {
        read(Array(xml.utf8), limits: limits)
    }

    private static func urlset(_ locs: [String]) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"\(namespace)\">\n"
            + locs.map { "  <url><loc>\($0)</loc><lastmod>2024-01-01</lastmod></url>\n" }.joined()
            + "</urlset>\n"
    }

    private static func absolutes(_ sitemap: Sitemap) -> [String] { sitemap.entries.map(\.absolute) }

    // MARK: Kinds

    @Test func urlset() {
        let sitemap = Self.read(Self.urlset(["https://example.com/", "https://example.com/a?b=1", "http://other.test/x"]))
        #expect(sitemap.kind == .urlset)
        #expect(Self.absolutes(sitemap) == ["https://example.com/", "https://example.com/a?b=1", "http://other.test/x"])
        #expect(sitemap.urls == sitemap.entries)
        #expect(sitemap.sitemaps.isEmpty)
        #expect(sitemap.invalidEntries == 0)
        #expect(!sitemap.truncated)
        #expect(sitemap.error == nil)
        #expect(sitemap.bytesRead == Self.urlset(["https://example.com/", "https://example.com/a?b=1", "http://other.test/x"]).utf8.count)
    }

    @Test func index() {
        let sitemap = Self.read("""
            <?xml version="1.0" encoding="UTF-8"?>
            <sitemapindex xmlns="\(Self.namespace)">
              <sitemap><loc>https://example.com/sitemap1.xml.gz</loc><lastmod>2004-10-01T18:23:17+00:00</lastmod></sitemap>
              <sitemap><loc>https://example.com/sitemap2.xml</loc></sitemap>
              <url><loc>https://example.com/not-an-index-entry</loc></url>
            </sitemapindex>
            """)
        #expect(sitemap.kind == .index)
        #expect(sitemap.sitemaps.map(\.absolute) == ["https://example.com/sitemap1.xml.gz", "https://example.com/sitemap2.xml"])
        #expect(sitemap.urls.isEmpty)
        #expect(sitemap.error == nil)
    }

    @Test(arguments: [
        // The protocol's namespace, none, an old one, a prefix, a prefix never declared.
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>https://a.test/1</loc></url></urlset>",
        "<urlset><url><loc>https://a.test/1</loc></url></urlset>",
        "<urlset xmlns=\"http://www.google.com/schemas/sitemap/0.84\"><url><loc>https://a.test/1</loc></url></urlset>",
        "<sm:urlset xmlns:sm=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sm:url><sm:loc>https://a.test/1</sm:loc></sm:url></sm:urlset>",
        "<sm:urlset><sm:url><sm:loc>https://a.test/1</sm:loc></sm:url></sm:urlset>",
        // Extensions: image:loc is deeper, xhtml:link is no loc, a second loc is ignored.
        """
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
          xmlns:xhtml="http://www.w3.org/1999/xhtml">
          <url><loc>https://a.test/1</loc><loc>https://a.test/second</loc>
            <xhtml:link rel="alternate" hreflang="de" href="https://a.test/de"/>
            <image:image><image:loc>https://a.test/i.png</image:loc></image:image></url>
          <loc>https://a.test/outside-an-entry</loc>
        </urlset>
        """,
    ])
    func namespacesAndPrefixes(xml: String) {
        let sitemap = Self.read(xml)
        #expect(sitemap.kind == .urlset)
        #expect(Self.absolutes(sitemap) == ["https://a.test/1"])
        #expect(sitemap.error == nil)
        #expect(sitemap.invalidEntries == 0)
    }

    // MARK: Entries

    @Test func whiteSpaceAndEntitiesInLoc() {
        let sitemap = Self.read("""
            <urlset>
              <url><loc>
                 https://example.com/a?x=1&amp;y=2\t
              </loc></url>
              <url><loc>https://example.com/&#x62;&#99;?q=&quot;&lt;&gt;&apos;</loc></url>
              <url><loc><![CDATA[https://example.com/cdata?a=1&b=2]]></loc></url>
              <url><loc>https://example.com/caf\u{E9}</loc></url>
            </urlset>
            """)
        #expect(Self.absolutes(sitemap) == [
            "https://example.com/a?x=1&y=2",
            // As libcurl's URL API spells them (it fetches them so, encoding as it sends).
            "https://example.com/bc?q=\"<>'",
            "https://example.com/cdata?a=1&b=2",
            "https://example.com/caf\u{E9}",
        ])
        #expect(sitemap.invalidEntries == 0)
        #expect(sitemap.error == nil)
    }

    @Test func invalidAndNonHTTPEntriesAreCounted() {
        let long = "https://example.com/" + String(repeating: "a", count: SitemapReader.maxLocBytes)
        let sitemap = Self.read("""
            <urlset>
              <url><loc>ftp://example.com/file</loc></url>
              <url><loc>mailto:someone@example.com</loc></url>
              <url><loc>https://example.com/ok</loc></url>
              <url><loc></loc></url>
              <url><loc>   </loc></url>
              <url><loc/></url>
              <url><lastmod>2024-01-01</lastmod></url>
              <url/>
              <url><loc>http://exa mple.com/</loc></url>
              <url><loc>https://example.com/<b>bold</b></loc></url>
              <url><loc>\(long)</loc></url>
              <url><loc>/relative/page</loc></url>
            </urlset>
            """)
        // A relative loc (against the protocol, but seen) resolves against the sitemap's URL.
        #expect(Self.absolutes(sitemap) == ["https://example.com/ok", "https://example.com/relative/page"])
        #expect(sitemap.invalidEntries == 10)
        #expect(sitemap.error == nil)
        #expect(!sitemap.truncated)
    }

    @Test func entryLimitDropsTheRest() {
        let locs = (1...5).map { "https://example.com/\($0)" }
        let sitemap = Self.read(Self.urlset(locs), limits: .init(maxEntries: 3))
        #expect(Self.absolutes(sitemap) == Array(locs.prefix(3)))
        #expect(sitemap.truncated)
        #expect(sitemap.error == nil)
        let exact = Self.read(Self.urlset(Array(locs.prefix(3))), limits: .init(maxEntries: 3))
        #expect(exact.entries.count == 3)
        #expect(!exact.truncated)
    }

    @Test func theProtocolsEntryLimitIsTheDefault() {
        #expect(SitemapReader.Limits.sitemapsOrg == .init(maxEntries: 50_000, maxBytes: 52_428_800))
        var xml = "<urlset xmlns=\"\(Self.namespace)\">\n"
        for index in 1...50_001 { xml += "<url><loc>https://example.com/p/\(index)</loc></url>\n" }
        xml += "</urlset>\n"
        let sitemap = Self.read(xml)
        #expect(sitemap.entries.count == 50_000)
        #expect(sitemap.entries.last?.absolute == "https://example.com/p/50000")
        #expect(sitemap.truncated)
        #expect(sitemap.error == nil)
    }

    @Test(arguments: [0, 1])
    func byteLimitCutsAtItsByte(over: Int) {
        let xml = Self.urlset(["https://example.com/1", "https://example.com/2"])
        let sitemap = Self.read(xml, limits: .init(maxBytes: xml.utf8.count - over))
        #expect(sitemap.truncated == (over > 0))
        #expect(sitemap.bytesRead == xml.utf8.count - over)
        #expect(sitemap.error == nil)
        // Cut inside the closing tag: both entries were whole.
        #expect(sitemap.entries.count == 2)
    }

    // MARK: gzip

    @Test func gzipIsRecognisedByItsMagic() {
        let xml = Array(Self.urlset(["https://example.com/1", "https://example.com/2"]).utf8)
        let gzipped = GzipWriter.gzip(xml)
        #expect(gzipped.starts(with: [0x1F, 0x8B]))
        let plain = Self.read(xml), inflated = Self.read(gzipped)
        #expect(plain.entries.count == 2)
        #expect(inflated == plain)
        #expect(inflated.bytesRead == xml.count)
        // Members one after another (cat a.gz b.gz) are one stream; trailing zeros are ignored.
        let half = xml.count / 2
        let members = GzipWriter.gzip(Array(xml[..<half])) + GzipWriter.gzip(Array(xml[half...])) + [0, 0, 0, 0]
        #expect(Self.read(members) == plain)
    }

    @Test func brokenGzipKeepsWhatWasRead() {
        var locs: [String] = []
        for index in 1...2_000 { locs.append("https://example.com/page/\(index)") }
        let gzipped = GzipWriter.gzip(Array(Self.urlset(locs).utf8))
        let cut = Self.read(Array(gzipped.prefix(gzipped.count / 2)))
        #expect(cut.error == .gzipTruncated)
        #expect(cut.entries.count > 100)
        #expect(cut.entries.count < 2_000)
        // A bad checksum is found at the end: every entry read, and the error.
        var badChecksum = gzipped
        badChecksum[badChecksum.count - 6] ^= 0xFF
        let checksum = Self.read(badChecksum)
        #expect(checksum.error == .gzipCorrupt)
        #expect(checksum.entries.count == 2_000)
        // Damage inside a block inflates to garbage that libxml2 or zlib stops at.
        var corrupt = gzipped
        corrupt[corrupt.count / 2] ^= 0xFF
        corrupt[corrupt.count / 2 + 1] ^= 0xFF
        let bad = Self.read(corrupt)
        #expect(bad.error != nil && bad.error?.isNotASitemap == false)
        #expect(bad.entries.count > 100 && bad.entries.count < 2_000)
        #expect(Self.read([0x1F, 0x8B, 0x08, 0x00]).error == .gzipTruncated)
        #expect(Self.read([0x1F, 0x8B, 0xFF, 0xFF, 0xFF]).error == .gzipCorrupt)
        #expect(Self.read(GzipWriter.gzip([])).error == .empty)
    }

    /// 1 GiB of XML (an entry, then 64 KiB comments) in about 1 MB of gzip: reading stops at
    /// 50 MB, with the entry kept, and memory never holds the inflated body.
    @Test func gzipBombStopsAtTheByteLimit() {
        let head = Array("<?xml version=\"1.0\"?><urlset><url><loc>https://example.com/first</loc></url>".utf8)
        let block = Array("<!--".utf8) + Array(repeating: UInt8(ascii: " "), count: 65_536 - 7) + Array("-->".utf8)
        let blocks = 16_384
        let bomb = GzipWriter.gzip([(head, 1), (block, blocks), (Array("</urlset>".utf8), 1)], strategy: Z_RLE)
        #expect(bomb.count < 4_000_000)
        let peakBefore = Self.peakMemory()
        let started = ContinuousClock.now
        let sitemap = Self.read(bomb)
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(sitemap.truncated)
        #expect(sitemap.error == nil)
        #expect(sitemap.bytesRead == 52_428_800)
        #expect(Self.absolutes(sitemap) == ["https://example.com/first"])
        // The whole of it inflated would be 1 GiB more at the peak.
        #expect(Self.peakMemory() - peakBefore < 256 * 1024 * 1024)
        // The same with a small limit stops as early.
        let small = Self.read(bomb, limits: .init(maxBytes: 100_000))
        #expect(small.truncated && small.bytesRead == 100_000 && small.entries.count == 1)
    }

    /// The process's peak resident memory so far, in bytes.
    private static func peakMemory() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    // MARK: Hostile XML

    /// A file whose text would become an entry if libxml2 read it.
    private static func leakFile(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "parfetch-sitemap-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func externalEntitiesAreNotRead() throws {
        let secret = try Self.leakFile("https://leaked.example/secret")
        let dtd = try Self.leakFile("<!ENTITY e \"https://leaked.example/dtd\">")
        defer { unlink(secret); unlink(dtd) }
        let cases = [
            "<!DOCTYPE urlset [<!ENTITY e SYSTEM \"file://\(secret)\">]><urlset><url><loc>&e;</loc></url></urlset>",
            "<!DOCTYPE urlset [<!ENTITY % p SYSTEM \"file://\(dtd)\"> %p;]><urlset><url><loc>&e;</loc></url></urlset>",
            "<!DOCTYPE urlset SYSTEM \"file://\(dtd)\"><urlset><url><loc>&e;</loc></url></urlset>",
            "<!DOCTYPE urlset [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><urlset><url><loc>https://a.test/&e;</loc></url></urlset>",
        ]
        for xml in cases {
            let sitemap = Self.read(xml)
            #expect(sitemap.entries.isEmpty, "\(xml)")
            // Either the entry is invalid (the entity stays a reference) or, with the DTD
            // unread, libxml2 calls the entity undeclared; never is it read.
            #expect(sitemap.invalidEntries == 1 || sitemap.error != nil, "\(xml)")
        }
        // libxml2 2.9.14, as seen: a declared external entity stays a reference.
        #expect(Self.read(cases[0]) == Sitemap(kind: .urlset, invalidEntries: 1, bytesRead: cases[0].utf8.count))
        // The parameter entity was not read, so `e` is undeclared: a fatal error.
        #expect(Self.read(cases[1]).error?.isNotASitemap == true)
    }

    @Test func internalEntitiesAreNotExpanded() {
        let sitemap = Self.read("<!DOCTYPE urlset [<!ENTITY e \"https://internal.example/\">]>"
            + "<urlset><url><loc>&e;</loc></url><url><loc>https://example.com/a</loc></url></urlset>")
        #expect(Self.absolutes(sitemap) == ["https://example.com/a"])
        #expect(sitemap.invalidEntries == 1)
        #expect(sitemap.error == nil)
    }

    @Test func billionLaughsDoesNotExpand() {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE urlset [\n<!ENTITY lol0 \"lol\">\n"
        for level in 1...9 {
            xml += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">\n"
        }
        xml += "]>\n<urlset><url><loc>https://example.com/&lol9;</loc></url>"
            + "<url><loc>https://example.com/after</loc></url></urlset>\n"
        let started = ContinuousClock.now
        let sitemap = Self.read(xml)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(!sitemap.entries.contains { $0.absolute.contains("lol") })
        // libxml2 2.9.14 stops at the loop it detects ("Detected an entity reference loop"),
        // within the first chunk: nothing read.
        #expect(sitemap.entries.isEmpty)
        #expect(sitemap.error?.isNotASitemap == true)
    }

    // MARK: Not sitemaps

    @Test(arguments: [
        ("<!DOCTYPE html>\n<html><head><title>Not found</title></head><body><p>Oops</p></body></html>", "html"),
        ("<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>", "html"),
        ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><link>https://a.test/</link></channel></rss>", "rss"),
        ("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", "feed"),
    ])
    func otherRootsAreNotSitemaps(xml: String, root: String) {
        let sitemap = Self.read(xml)
        #expect(sitemap.kind == nil)
        #expect(sitemap.entries.isEmpty)
        #expect(sitemap.error == .notASitemap(root: root))
        #expect(sitemap.error?.isNotASitemap == true)
    }

    @Test(arguments: [
        "<!doctype html><html><meta charset=utf-8><p>hi",
        "hello, world",
        "{\"urls\": [\"https://a.test/\"]}",
        "https://example.com/a\nhttps://example.com/b\n",
        "\u{FEFF}<<<>>>",
        "\0\0\0\0",
    ])
    func garbageIsNotXML(text: String) {
        let sitemap = Self.read(text)
        #expect(sitemap.kind == nil)
        #expect(sitemap.entries.isEmpty)
        #expect(sitemap.error?.isNotASitemap == true)
        #expect(sitemap.error != .empty)
        #expect(sitemap.error?.description.contains("\n") == false)
    }

    @Test(arguments: ["", " ", "\n\t \r\n"])
    func emptyBodies(text: String) {
        let sitemap = Self.read(text)
        #expect(sitemap.error == .empty)
        #expect(sitemap.kind == nil)
    }

    @Test func truncatedXMLKeepsItsEntries() {
        let xml = Self.urlset(["https://example.com/1", "https://example.com/2", "https://example.com/3"])
        let cut = String(xml.prefix(xml.count - 40))
        let sitemap = Self.read(cut)
        #expect(Self.absolutes(sitemap) == ["https://example.com/1", "https://example.com/2"])
        #expect(sitemap.kind == .urlset)
        #expect(sitemap.error != nil)
        #expect(sitemap.error?.isNotASitemap == false)
        #expect(!sitemap.truncated)
        // Broken further in: the entries before it are kept, but for those of libxml2's
        // last chunk (the reader's look-ahead, 512 bytes).
        let locs = (1...100).map { "https://example.com/\($0)" }
        let good = Self.urlset(locs)
        let broken = Self.read(String(good.dropLast("</urlset>\n".count)) + "<url><loc>x</lo></url></urlset>")
        #expect(broken.entries.count >= 90)
        #expect(Self.absolutes(broken) == Array(locs.prefix(broken.entries.count)))
        #expect(broken.kind == .urlset)
        #expect(broken.error?.isNotASitemap == false)
        #expect(broken.error?.description.contains("\n") == false)
        // Broken within the first chunk: not XML, nothing read.
        let early = Self.read("<urlset><url><loc>https://example.com/1</loc></url><url><loc>x</lo></url></urlset>")
        #expect(early.entries.isEmpty)
        #expect(early.error?.isNotASitemap == true)
    }

    @Test func errorsAreOneLine() {
        let errors: [SitemapError] = [
            .empty, .gzipCorrupt, .gzipTruncated, .outOfMemory, .noRoot(withinBytes: 10),
            .notXML(line: 1, message: "Start tag expected, '<' not found\n"),
            .notASitemap(root: "a\nb\u{2028}c" + String(repeating: "x", count: 500)),
            .malformed(line: 3, message: "Opening and ending tag mismatch: loc line 1 and url\r\n"),
        ]
        for error in errors {
            #expect(!error.description.contains { $0.isNewline }, "\(error)")
            #expect(error.description.count < 300)
        }
        #expect("\(SitemapError.notASitemap(root: "html"))"
            == "not a sitemap: the root element is <html>, not <urlset> or <sitemapindex>")
    }

    // MARK: robots.txt

    @Test func sitemapLinesOfRobotsTxt() {
        let body = """
            \u{FEFF}Sitemap: https://example.com/sitemap.xml
            User-agent: *
            Disallow: /private
            sitemap:https://example.com/in-a-group.xml
            \tSITEMAP :   https://example.com/spaced.xml.gz  # a comment
            Site-map: https://example.com/not-the-key.xml
            Sitemap: /relative.xml
            Sitemap: ftp://example.com/sitemap.xml
            Sitemap:
            Sitemap: https://example.com/sitemap.xml
            Sitemap: https://other.example/their-sitemap.xml\r
            """
        let urls = RobotsRules.sitemapURLs(in: Array(body.utf8)).map(\.absolute)
        #expect(urls == [
            "https://example.com/sitemap.xml", "https://example.com/in-a-group.xml",
            "https://example.com/spaced.xml.gz", "https://other.example/their-sitemap.xml",
        ])
        // The rules of the same file are unaffected.
        #expect(!RobotsRules(parsing: Array(body.utf8), userAgent: "x").allows(path: "/private"))
    }

    @Test func sitemapLinesAreCapped() {
        let body = (1...1_500).map { "Sitemap: https://example.com/s\($0).xml\n" }.joined()
        let urls = RobotsRules.sitemapURLs(in: Array(body.utf8))
        #expect(urls.count == RobotsRules.maxSitemaps)
        #expect(urls.count == 1_000)
        #expect(urls.last?.absolute == "https://example.com/s1000.xml")
        #expect(RobotsRules.sitemapURLs(in: Array(body.utf8), limit: 2).map(\.absolute)
            == ["https://example.com/s1.xml", "https://example.com/s2.xml"])
        // Past the parse limit nothing is read, and a line cut by it is dropped.
        let padding = String(repeating: "#", count: RobotsRules.parseLimit - 30) + "\n"
        let late = padding + "Sitemap: https://example.com/cut-by-the-limit.xml\nSitemap: https://example.com/late.xml\n"
        #expect(RobotsRules.sitemapURLs(in: Array(late.utf8)).isEmpty)
    }
}
