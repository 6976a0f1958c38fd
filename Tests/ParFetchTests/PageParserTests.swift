import Foundation
import Testing
@testable import ParFetch

@Suite("Page parser")
struct PageParserTests {
    @Test(arguments: [
        ("a.html", "https://example.test/dir/a.html"),
        ("../up.html", "https://example.test/up.html"),
        ("./x?q=1#frag", "https://example.test/dir/x?q=1"),
        ("/root", "https://example.test/root"),
        ("//other.test/p", "https://other.test/p"),
        ("http://abs.test/a#b", "http://abs.test/a"),
        ("?only=query", "https://example.test/dir/page.html?only=query"),
        ("#top", "https://example.test/dir/page.html"),
        ("", "https://example.test/dir/page.html"),
        ("HTTPS://Mixed.Example.TEST/Case", "https://mixed.example.test/Case"),
    ])
    func resolvesAgainstTheBase(reference: String, expected: String) {
        let resolver = URLResolver()
        #expect(resolver.setBase("https://example.test/dir/page.html"))
        #expect(resolver.resolve(reference) == expected)
    }

    @Test(arguments: ["javascript:void(0)", "mailto:a@b.test", "tel:+100", "ftp://x.test/", "data:text/html,x"])
    func dropsWhatIsNotHTTP(reference: String) {
        let resolver = URLResolver()
        resolver.setBase("https://example.test/")
        #expect(resolver.resolve(reference) == nil)
    }

    @Test(arguments: [
        ("text/html; charset=utf-8", "x", true),
        ("TEXT/HTML", "x", true),
        ("application/xhtml+xml", "x", true),
        ("application/json", "<html>", false),
        ("text/plain", "<html>", false),
        (nil, "  <!DOCTYPE html><html>", true),
        (nil, "\u{FEFF}<html lang=en>", true),
        (nil, "<p>hi</p>", true),
        (nil, "<bdi>x</bdi>", false),
        (nil, "{\"json\": true}", false),
        (nil, "%PDF-1.4", false),
    ] as [(String?, String, Bool)])
    func decidesWhatIsHTML(contentType: String?, body: String, expected: Bool) {
        #expect(PageParser.isHTML(contentType: contentType, body: Array(body.utf8)) == expected)
    }

    @Test func fieldsOfASmallPage() throws {
        let html = """
            <!doctype html><html lang="en"><head><base href="/base/">
            <title> A  &amp; B </title><meta name="description" content="About &quot;it&quot;">
            <link rel="canonical" href="/canonical"></head>
            <body><a href="x">x</a><a href="x#again">again</a><a href="mailto:a@b">m</a>
            <div class="price">9.99</div><div class="price">10.50</div></body></html>
            """
        let rules = [
            try ExtractionRule(name: "price", css: ".price"),
            try ExtractionRule(name: "count", xpath: "count(//a)"),
        ]
        let page = try #require(PageParser(rules: rules).parse(Response(
            url: "https://site.test/dir/page", finalURL: "https://site.test/dir/page",
            status: 200, contentType: "text/html", body: Array(html.utf8))))
        #expect(page.title == "A & B")
        #expect(page.description == "About \"it\"")
        #expect(page.lang == "en")
        #expect(page.canonical == "https://site.test/canonical")
        #expect(page.links == ["https://site.test/base/x"])
        #expect(page.extract == [
            PageData.Extracted(name: "price", values: ["9.99", "10.50"]),
            PageData.Extracted(name: "count", values: ["3"]),
        ])
    }

    func links(_ html: String, maxLinks: Int?) throws -> ([String], Bool) {
        let page = try #require(PageParser(maxLinks: maxLinks).parse(Response(
            url: "https://site.test/dir/page", status: 200, contentType: "text/html", body: Array(html.utf8))))
        return (page.links, page.linksTruncated)
    }

    @Test func linksStopAtTheLimitCountingDistinctLinks() throws {
        let html = #"<a href="a">1</a><a href="a#x">dup</a><a href="mailto:m">no</a><a href="b">2</a><a href="c">3</a>"#
        let all = ["https://site.test/dir/a", "https://site.test/dir/b", "https://site.test/dir/c"]
        #expect(try links(html, maxLinks: nil) == (all, false))
        #expect(try links(html, maxLinks: 3) == (all, false))
        #expect(try links(html, maxLinks: 2) == (Array(all.prefix(2)), true))
        #expect(try links(html, maxLinks: 0) == ([], true))
        // Duplicates and links that are dropped after the limit do not make it truncated.
        #expect(try links(html + #"<a href="a">again</a><a href="tel:1">t</a>"#, maxLinks: 3) == (all, false))
    }

    @Test func aBaseAfterTheFirstLinksAppliesToThemToo() throws {
        let html = #"<a href="x">x</a><base href="https://other.test/base/"><a href="y">y</a><a href="/z">z</a>"#
        #expect(try links(html, maxLinks: nil)
            == (["https://other.test/base/x", "https://other.test/base/y", "https://other.test/z"], false))
        #expect(try links(html, maxLinks: 1) == (["https://other.test/base/x"], true))
    }

    @Test func theLimitDoesNotChangeTheOtherFields() throws {
        let html = #"<html lang=fr><a href="1">1</a><a href="2">2</a><title>T</title><link rel=canonical href="/c">"#
        let page = try #require(PageParser(maxLinks: 1).parse(Response(
            url: "https://site.test/", status: 200, contentType: "text/html", body: Array(html.utf8))))
        #expect(page.title == "T")
        #expect(page.lang == "fr")
        #expect(page.canonical == "https://site.test/c")
        #expect(page.links == ["https://site.test/1"])
    }

    @Test func nonHTMLIsNotParsed() {
        let parser = PageParser(rules: [])
        #expect(parser.parse(Response(url: "http://a.test/", status: 200, contentType: "image/png", body: [1, 2])) == nil)
    }

    @Test(arguments: [
        ("price=.price[", "invalid CSS selector for 'price'"),
        ("price=", "empty expression for 'price'"),
        ("=.price", "is not NAME=CSS"),
        ("novalue", "is not NAME=CSS"),
        ("x=a:hover", "invalid CSS selector for 'x'"),
    ])
    func badSelectorsAreErrors(assignment: String, message: String) {
        #expect {
            try ExtractionRule(assignment: assignment, language: .css)
        } throws: { error in
            (error as? ExtractionRuleError)?.description.contains(message) == true
        }
    }

    /// Found by fuzz-css-selector: the error quoted the selector (and name, and assignment) as
    /// given, so one with a line break in it made a message of several lines.
    @Test(arguments: [
        ("price=\n", "invalid CSS selector for 'price': \\n: "),
        ("price=a,\n\tb[", "invalid CSS selector for 'price': a,\\n\\tb[: "),
        ("pr\nice=a[", "invalid CSS selector for 'pr\\nice': a[: "),
        ("pr\u{2028}ice=", "empty expression for 'pr\\u{2028}ice'"),
        ("line\rbreak", "'line\\rbreak' is not NAME=CSS"),
    ])
    func errorsAreOneLine(assignment: String, message: String) {
        #expect {
            try ExtractionRule(assignment: assignment, language: .css)
        } throws: { error in
            let description = (error as? ExtractionRuleError)?.description ?? ""
            return description.hasPrefix(message)
                && !description.unicodeScalars.contains { $0.properties.isWhitespace && $0 != " " }
        }
        #expect {
            try ExtractionRule(name: "x", xpath: "//a[\n")
        } throws: { error in
            (error as? ExtractionRuleError)?.description.hasPrefix("invalid XPath for 'x': //a[\\n: ") == true
        }
    }

    @Test(arguments: ["//a[", "///", "@@x", "//a[@", "nosuchfunction()"])
    func badXPathsAreErrors(expression: String) {
        #expect {
            try ExtractionRule(name: "x", xpath: expression)
        } throws: { error in
            (error as? ExtractionRuleError)?.description.hasPrefix("invalid XPath for 'x': \(expression): ") == true
        }
    }
}

@Suite("Fast reference resolution agrees with libcurl")
struct FastResolutionTests {
    static let bases = [
        "http://o.test/page/links.html", "https://Example.TEST:8443/a/b/c?x=1", "http://127.0.0.1:8080/",
        "https://cdn.example.test/assets/", "https://app.test/p?s=1#/route/x",
        // Found by fuzz-page: against a path starting with "//", libcurl resolves "a.html" to
        // "/a.html" where RFC 3986 (and the fast path) gave "//a.html".
        "https://example.test//s.html", "http://e.test//", "http://e.test///x/y",
    ]

    static let references = [
        "a.html", "../up.html", "./x?q=1#frag", "/root", "//other.test/p", "http://abs.test/a#b", "?only=query",
        "HTTPS://Mixed.Example.TEST/Case", "../../../../too/far", "a/./b/../c", ".", "..", "./", "../", "/.",
        "/a/b/..", "/a/b/../", "http://h.test", "http://h.test?q", "http://h.test:80/x", "https://h.test:/x",
        "http://h.test/%7Euser/%41", "a%20b", "?", "/?", "//h.test", "http://h.test/a/../../b", "x?y=/../z",
        "http://user@h.test/", "http://[::1]/", "a b", "é", "a\\b", "http:/h.test/x", "http:h.test",
        "/a//b", "//", "///x", "http://h.test//double", "#", "", "mailto:x", "http://h:080/", "http://h:99999/",
        "http://h:65535/x", "http://2130706433/", "http://0x7f.1/", "http://010.1.1.1/", "http://127.0.0.1:8/",
        "http://1password.test/", "q?a|b",
        // Found by fuzz-page: libcurl refuses a control character even in the fragment, which
        // the fast path dropped unread ("./x?q=1#…</a></li>\n  <li><a href=", an unclosed quote).
        "./x?q=1#a\nb", "x#\t", "/x#\u{7F}", "//h.test/x#\u{1}", "x#a b", "x#é",
        // And a space, in an absolute URL's fragment only ("…#secti<li><a href=…", unclosed).
        "https://h.test/p?x=1#a b", "HTTP://h.test#a b", "//h.test/p#a b",
        // And a "scheme" RFC 3986 would not call one, which libcurl refuses as unsupported.
        "+ttps://www.example.test/about", "1a://x", "9:x", "-x:y/z", ".a:b", "a/b:c", "?q=a:b",
        // And "//" in a relative path, which libcurl joins its own way (".//x" → "x").
        ".//index.html", "..//x", "././/x", ".///x", "../..//x", "a/.//x", "a//x", "/a//b", "x?q=//y",
        // And only "./" or "../" segments before a query, where libcurl drops the last slash
        // ("./?q" against /a/b/ gives /a/b?q, RFC 3986 /a/b/?q).
        "./?iles/../files/data.csv", "./?q", "../?q", "./../?q", "././?q", ".?q", "..?q", "a/./?q", ".../?q",
    ]

    @Test(arguments: bases)
    func sameAsLibcurl(base: String) throws {
        let fast = URLResolver()
        let curl = URLResolver(fastPath: false)
        #expect(fast.setBase(base) && curl.setBase(base))
        var hrefs = Self.references
        for page in ["links.html", "base.html", "entities.html", "broken.html", "products.html", "bench-page.html"] {
            let body = try Fixture.page(page)
            hrefs += body.withUnsafeBytes { PageScanner.scan($0.bindMemory(to: UInt8.self)).links }
        }
        for href in hrefs {
            #expect(fast.resolve(href) == curl.resolve(href), "\(href) against \(base)")
        }
    }
}
