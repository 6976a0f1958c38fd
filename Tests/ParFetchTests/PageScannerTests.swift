import Testing
@testable import ParFetch

@Suite("Page scanner")
struct PageScannerTests {
    static func scan(_ html: String) -> ScannedPage {
        scan(Array(html.utf8))
    }

    static func scan(_ bytes: [UInt8]) -> ScannedPage {
        bytes.withUnsafeBufferPointer { PageScanner.scan($0) }
    }

    static func links(_ html: String) -> [String] { scan(html).links }
    static func title(_ html: String) -> String? { scan(html).title }

    // MARK: Tags and attributes

    @Test(arguments: [
        (#"<a href="/double">"#, ["/double"]),
        ("<a href='/single'>", ["/single"]),
        ("<a href=/unquoted/>", ["/unquoted/"]),
        ("<a href = \"/spaced\" >", ["/spaced"]),
        ("<a\nhref\n=\n'/newlines'\n>", ["/newlines"]),
        (#"<a title="x>y" href="/after-gt">"#, ["/after-gt"]),
        (#"<a href="/quote's">"#, ["/quote's"]),
        (#"<a href=/unquoted"quote>"#, [#"/unquoted"quote"#]),
        ("<a/href=/slash-separated>", ["/slash-separated"]),
        (#"<a href="/self-closing"/>"#, ["/self-closing"]),
        (#"<a title="t"href="/no-space">"#, ["/no-space"]),
        ("<a href>", [""]),
        ("<a href=>", [""]),
        ("<a name=x>", []),
        (#"<a hreflang="en" data-href="/no">"#, []),
        (#"<ab href="/no"><abbr href="/no"><a href="/yes">"#, ["/yes"]),
        ("<a\thref=\"/tab\">", ["/tab"]),
    ] as [(String, [String])])
    func attributeSyntax(html: String, expected: [String]) {
        #expect(Self.links(html) == expected)
    }

    @Test func tagAndAttributeNamesAreCaseInsensitive() {
        let page = Self.scan("""
            <HTML LANG="fr"><HEAD><TITLE>T</TITLE>
            <META NAME="DESCRIPTION" CONTENT="d"><LINK REL="CANONICAL" HREF="/c"><BASE HREF="/b/">
            </HEAD><BODY><A HREF="/1">1</A><Area Href="/2"><aReA hReF="/3"></BODY></HTML>
            """)
        #expect(page == ScannedPage(
            title: "T", description: "d", lang: "fr", canonical: "/c", base: "/b/", links: ["/1", "/2", "/3"]))
    }

    @Test func firstOfDuplicateAttributesWins() {
        #expect(Self.links(#"<a href="/first" HREF="/second">"#) == ["/first"])
        #expect(Self.scan(#"<meta name="description" content="one" content="two">"#).description == "one")
        #expect(Self.scan(#"<meta name="keywords" name="description" content="d">"#).description == nil)
    }

    @Test func linksOfAnchorsAndAreasInDocumentOrderWithDuplicates() {
        let html = #"<a href="/a">a</a><map><area href="/b"></map><a href="/a">again</a><link href="/not-a-link">"#
        #expect(Self.links(html) == ["/a", "/b", "/a"])
    }

    @Test func linksAreTrimmedButNotResolved() {
        #expect(Self.links("<a href=\"  \n\t/x y \r\n\">") == ["/x y"])
        #expect(Self.links(#"<a href="../up?q#frag">"#) == ["../up?q#frag"])
        #expect(Self.links("<a href=\"/a\rb\">") == ["/a\nb"])
    }

    @Test func attributesInsideOtherTagsAreNotTags() {
        #expect(Self.links(#"<div title="<a href='/no'>"><a href="/yes">"#) == ["/yes"])
        #expect(Self.links(#"</div title="<a href='/no'>"><a href="/yes">"#) == ["/yes"])
        #expect(Self.links(#"<div<a href="/no">"#) == [])
    }

    // MARK: Text, comments and declarations

    @Test(arguments: [
        (#"a < b <a href="/x">"#, ["/x"]),
        (#"<3 <a href="/x">"#, ["/x"]),
        (#"< a href="/no">"#, []),
        (#"<<a href="/x">"#, ["/x"]),
        (#"</> <a href="/x">"#, ["/x"]),
        (#"</3 <a href="/no"> <a href="/x">"#, ["/x"]),
        (#"<!-- <a href="/no"> --> <a href="/x">"#, ["/x"]),
        (#"<!--> <a href="/x">"#, ["/x"]),
        (#"<!---> <a href="/x">"#, ["/x"]),
        (#"<!----> <a href="/x">"#, ["/x"]),
        (#"<!-- a -- b --- <a href="/no"> ---> <a href="/x">"#, ["/x"]),
        (#"<!-- x --!> <a href="/x">"#, ["/x"]),
        (#"<!-- x --!-> <a href="/no"> --> <a href="/x">"#, ["/x"]),
        (#"<!-- <!-- nested --> <a href="/x">"#, ["/x"]),
        (#"<!DOCTYPE html PUBLIC "a>b"> <a href="/x">"#, ["/x"]),
        (#"<?xml version="1.0"?> <a href="/x">"#, ["/x"]),
        (#"<! <a href="/no"> <a href="/x">"#, ["/x"]),
        (#"<![CDATA[ <a href="/no"> ]]> <a href="/x">"#, ["/x"]),
    ] as [(String, [String])])
    func textCommentsAndBogusComments(html: String, expected: [String]) {
        #expect(Self.links(html) == expected)
    }

    // MARK: Raw text and RCDATA

    @Test(arguments: [
        #"<script>var s = "<a href='/no'>";</script><a href="/x">"#,
        #"<script type="text/javascript">if (a<b) {}</SCRIPT ><a href="/x">"#,
        #"<script>"</scripts><a href='/no'>"</script/><a href="/x">"#,
        #"<script/>"<a href='/no'>"</script><a href="/x">"#,
        #"<style>a[href='<a href=/no>'] {}</style><a href="/x">"#,
        #"<textarea><a href="/no"></textarea><a href="/x">"#,
        #"<xmp><a href="/no"></xmp><a href="/x">"#,
        #"<iframe><a href="/no"></iframe><a href="/x">"#,
        #"<noembed><a href="/no"></noembed><a href="/x">"#,
        #"<noframes><a href="/no"></noframes><a href="/x">"#,
        #"<script>s = "<!-- <title>no</title>";</script><a href="/x">"#,
        // Double-escaped script data: `</script>` inside `<!-- <script>` does not end it.
        #"<script><!-- document.write("<script></script>"); <a href="/no"> --></script><a href="/x">"#,
        // `</script>` still ends a script inside a plain `<!--`.
        #"<script><!-- x </script><a href="/x">"#,
        // `<!-->` opens and closes at once, so the `<script>` after it does not double-escape.
        #"<script><!--><script></script><a href="/x">"#,
        // After `-->` the escape is over, and a later `<script>` is plain text again.
        #"<script><!-- --><script></script><a href="/x">"#,
    ])
    func rawTextIsNotMarkup(html: String) {
        #expect(Self.links(html) == ["/x"])
    }

    @Test func noscriptIsMarkupAsWithScriptingDisabled() {
        #expect(Self.links(#"<noscript><a href="/x"></noscript>"#) == ["/x"])
    }

    @Test func plaintextEndsAllMarkup() {
        #expect(Self.links(#"<a href="/x"><plaintext><a href="/no"></plaintext><a href="/no">"#) == ["/x"])
    }

    @Test func titleIsRCDATA() {
        #expect(Self.title("<title>a <b>bold</b> &amp; <!-- c --></title>") == "a <b>bold</b> & <!-- c -->")
        #expect(Self.links(#"<title><a href="/no"></title ><a href="/x">"#) == ["/x"])
        #expect(Self.title("<TITLE>x</Title>") == "x")
        #expect(Self.title("<title>a</titles> b</title>") == "a</titles> b")
    }

    @Test func titleWhiteSpaceIsCollapsed() {
        #expect(Self.title("<title>\n\t  Hello \r\n  world\u{0C} </title>") == "Hello world")
        #expect(Self.title("<title>a&#32;&#9;b&nbsp;c</title>") == "a b\u{A0}c")
        #expect(Self.title("<title>  </title>") == "")
        #expect(Self.title("<title></title>") == "")
    }

    @Test func firstTitleWinsWhereverItIs() {
        #expect(Self.title("<head></head><body><title>in body</title><title>second</title>") == "in body")
        #expect(Self.title("<title>one</title><title>two</title>") == "one")
        #expect(Self.title("<p>no title") == nil)
    }

    // MARK: Meta, link, base, html

    @Test func description() {
        #expect(Self.scan("<meta name=\"Description\" content=\" a  &amp;\n b \">").description == "a & b")
        #expect(Self.scan(#"<meta content="first" name="description"><meta name="description" content="x">"#)
            .description == "first")
        #expect(Self.scan(#"<meta name="description"><meta name="description" content="has content">"#)
            .description == "has content")
        #expect(Self.scan(#"<meta name="description" content="">"#).description == "")
        #expect(Self.scan(#"<meta name="descr&#105;ption" content="decoded name">"#).description == "decoded name")
        #expect(Self.scan(#"<meta name=" description" content="x"><meta property="description" content="x">"#)
            .description == nil)
    }

    @Test func ogDescription() {
        let page = Self.scan("""
            <meta property="og:title" content="t"><meta property="OG:Description" content=" og \n text ">
            <meta name="description" content="plain"><meta property="og:description" content="second">
            """)
        #expect(page.ogDescription == "og text")
        #expect(page.description == "plain")
        #expect(Self.scan(#"<meta name="og:description" content="x">"#).ogDescription == nil)
    }

    @Test func canonicalIsTheFirstLinkWithTheToken() {
        #expect(Self.scan(#"<link rel="Canonical Alternate" href=" /c ">"#).canonical == "/c")
        #expect(Self.scan("<link rel=\"alternate\tcanonical\" href=\"/c\">").canonical == "/c")
        #expect(Self.scan(#"<link rel="canonicalx" href="/no"><link rel="alternate" href="/no">"#).canonical == nil)
        #expect(Self.scan(#"<link rel="canonical"><link rel="canonical" href="/second">"#).canonical == "/second")
        #expect(Self.scan(#"<link rel="canonical" href="/1"><link rel="canonical" href="/2">"#).canonical == "/1")
        #expect(Self.scan(#"<link rel="canonical" href="/a?b=1&amp;c=2">"#).canonical == "/a?b=1&c=2")
    }

    @Test func baseIsTheFirstWithHref() {
        #expect(Self.scan(#"<base target="_blank"><base href=" /x/ "><base href="/y/">"#).base == "/x/")
        #expect(Self.scan(#"<base target="_blank">"#).base == nil)
    }

    @Test func lang() {
        #expect(Self.scan(#"<html lang=" en-GB ">"#).lang == "en-GB")
        #expect(Self.scan("<!doctype html><html><body>").lang == nil)
        // A second <html> tag adds the attributes the first lacked, as the tree builder does.
        #expect(Self.scan(#"<html><html lang="de">"#).lang == "de")
        #expect(Self.scan(#"<html lang="en"><html lang="de">"#).lang == "en")
    }

    // MARK: Character references

    @Test(arguments: [
        ("/a?x=1&amp;y=2", "/a?x=1&y=2"),
        ("/a?x=1&b=2", "/a?x=1&b=2"),
        ("/a?x=1&copy=2", "/a?x=1&copy=2"),
        ("/a?x=1&copyx", "/a?x=1&copyx"),
        ("/a?x=1&lang=en", "/a?x=1&lang=en"),
        ("/a?x=1&not;", "/a?x=1\u{AC}"),
        ("/a?x=1&amp", "/a?x=1&"),
        ("/a?&copy;2", "/a?\u{A9}2"),
        ("/a?&nbsp", "/a?\u{A0}"),
        ("/a#&#x2F;&#47;", "/a#//"),
        ("/a?&quot=1", "/a?&quot=1"),
        ("/a?&unknown;", "/a?&unknown;"),
        ("&", "&"),
    ])
    func referencesInAttributes(raw: String, decoded: String) {
        #expect(Self.links("<a href=\"\(raw)\">") == [decoded])
        #expect(Self.links("<a href='\(raw)'>") == [decoded])
    }

    @Test(arguments: [
        ("&amp; &lt; &gt; &quot; &apos;", "& < > \" '"),
        ("&amp &lt &gt &quot &nbsp", "& < > \" \u{A0}"),
        ("&copy 2024 &reg&trade;", "\u{A9} 2024 \u{AE}\u{2122}"),
        ("&ampx &copyright", "&x \u{A9}right"),
        ("&notit; &notin;", "\u{AC}it; \u{2209}"),
        ("&apos &hellip &hellip;", "&apos &hellip \u{2026}"),
        ("&AMP; &AMP &COPY &Amp; &amP;", "& & \u{A9} &Amp; &amP;"),
        ("&eacute;&Eacute;&szlig;&euro;&mdash;&rsquo;&thetasym;&lang;", "éÉß€—’\u{3D1}\u{27E8}"),
        ("&foo; & &; &#; &#x; &#xg;", "&foo; & &; &#; &#x; &#xg;"),
    ])
    func namedReferencesInText(raw: String, decoded: String) {
        #expect(Self.title("<title>\(raw)</title>") == decoded)
    }

    @Test(arguments: [
        ("&#233;", "é"), ("&#xE9;", "é"), ("&#XE9;", "é"), ("&#233", "é"), ("&#xe9x", "éx"),
        ("&#0065;", "A"), ("&#x1F600;", "😀"),
        ("&#0;", "\u{FFFD}"), ("&#x110000;", "\u{FFFD}"), ("&#99999999999999999999;", "\u{FFFD}"),
        ("&#xD800;", "\u{FFFD}"), ("&#xDFFF;", "\u{FFFD}"),
        ("&#128;", "€"), ("&#x80;", "€"), ("&#x9F;", "Ÿ"), ("&#150;", "–"), ("&#x81;", "\u{81}"),
        ("&#x9D;", "\u{9D}"), ("&#xFFFF;", "\u{FFFF}"), ("&#x10FFFF;", "\u{10FFFF}"),
    ])
    func numericReferences(raw: String, decoded: String) {
        #expect(Self.title("<title>\(raw)</title>") == decoded)
        #expect(Self.links("<a href=\"\(raw)\">") == [decoded])
    }

    @Test func nulBecomesReplacementCharacter() {
        let page = Self.scan(Array("<title>a".utf8) + [0] + Array("b</title><a href=\"/x".utf8) + [0] + Array("\">".utf8))
        #expect(page.title == "a\u{FFFD}b")
        #expect(page.links == ["/x\u{FFFD}"])
    }

    @Test func nonASCIITextIsKept() {
        let page = Self.scan(#"<title>Ünïcödé 日本語 &amp; 😀</title><a href="/straße?q=日本">"#)
        #expect(page.title == "Ünïcödé 日本語 & 😀")
        #expect(page.links == ["/straße?q=日本"])
    }

    // MARK: Truncated input

    @Test func emptyInput() {
        #expect(Self.scan("") == ScannedPage())
        #expect(Self.scan("<") == ScannedPage())
    }

    @Test(arguments: [
        (#"<a href="/x"#, []), ("<a href=/x", []), ("<a href", []), ("<a", []),
        (#"<a href="/y"><a href="/x" "#, ["/y"]),
        (#"<!-- <a href="/no">"#, []), (#"<script><a href="/no">"#, []), (#"<style><a href="/no">"#, []),
        (#"<!DOCTYPE html <a href="/no">"#, []),
    ] as [(String, [String])])
    func unterminatedMarkupEndsTheScan(html: String, expected: [String]) {
        #expect(Self.links(html) == expected)
    }

    @Test func unterminatedTitleRunsToTheEnd() {
        #expect(Self.title("<title>abc <a href=x>") == "abc <a href=x>")
        #expect(Self.title("<title>abc</title") == "abc</title")
        #expect(Self.title("<title") == nil)
    }

    /// A page with every construct the scanner knows, cut at every byte.
    @Test func everyPrefixOfAPageScansToAPrefixOfItsLinks() {
        let html = Array("""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
            <title>Caf&eacute; &amp; <b>bar</b></title>
            <meta name="description" content="A &quot;test&quot; page">
            <meta property="og:description" content='og'>
            <link rel="canonical stylesheet" href="/canonical"><base href="/base/">
            <!-- <a href="/comment"> --><!--><?pi <a href="/pi">?>
            <script>if (a < b && c > d) { s = "<a href='/script'></script\\>"; }<!-- <script></script> --></script>
            <style>a::after { content: "</a>" }</style>
            </head><body><a href="/one">1</a> 3 < 4 <a href=/two>2</a><AREA HREF='/three?a=1&amp;b=2&c=3'>
            <textarea><a href="/textarea"></textarea><a title=">" href="&#x2F;four" href="/dup">4</a>
            <a href=five&copy></a></body></html>
            """.utf8)
        let full = Self.scan(html)
        #expect(full == ScannedPage(
            title: "Café & <b>bar</b>", description: #"A "test" page"#, ogDescription: "og", lang: "en",
            canonical: "/canonical", base: "/base/",
            links: ["/one", "/two", "/three?a=1&b=2&c=3", "/four", "five\u{A9}"]))
        for count in 0...html.count {
            // A buffer of exactly `count` bytes, so a read past the end hits the allocation's end.
            let prefix = Array(html[..<count])
            let page = Self.scan(prefix)
            #expect(full.links.starts(with: page.links), "prefix of \(count) bytes")
            if count == html.count { #expect(page == full) }
        }
    }
}
