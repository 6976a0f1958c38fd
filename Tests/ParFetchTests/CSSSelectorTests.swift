import Testing
import ParFetch

/// The expected strings are what parsel (with cssselect 1.2's HTMLTranslator) produces for the
/// same selector, except where a comment says we differ on purpose.
@Suite("CSS to XPath")
struct CSSSelectorTests {
    static let translations: [(css: String, xpath: String)] = [
        // Type, universal, id, class; type names are lowercased.
        (#"div"#, #"descendant-or-self::div"#),
        (#"DIV"#, #"descendant-or-self::div"#),
        (#"*"#, #"descendant-or-self::*"#),
        (#"#main"#, #"descendant-or-self::*[@id = 'main']"#),
        (#".price"#, #"descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' price ')]"#),
        (#"span.price"#, #"descendant-or-self::span[@class and contains(concat(' ', normalize-space(@class), ' '), ' price ')]"#),
        (#"a.b#c[d]:first-child"#, #"descendant-or-self::a[(((@class and contains(concat(' ', normalize-space(@class), ' '), ' b ')) and (@id = 'c')) and (@d)) and (count(preceding-sibling::*) = 0)]"#),
        // Attributes: each operator, the empty-value cases (match nothing), quoting.
        (#"[href]"#, #"descendant-or-self::*[@href]"#),
        (#"[HREF]"#, #"descendant-or-self::*[@href]"#),
        (#"[lang=en]"#, #"descendant-or-self::*[@lang = 'en']"#),
        (#"[title="x y"]"#, #"descendant-or-self::*[@title = 'x y']"#),
        (#"[ data-x = "1" ]"#, #"descendant-or-self::*[@data-x = '1']"#),
        (#"[rel~=nofollow]"#, #"descendant-or-self::*[@rel and contains(concat(' ', normalize-space(@rel), ' '), ' nofollow ')]"#),
        (#"[rel~='a b']"#, #"descendant-or-self::*[0]"#),
        (#"[rel~='']"#, #"descendant-or-self::*[0]"#),
        (#"[lang|=en]"#, #"descendant-or-self::*[@lang and (@lang = 'en' or starts-with(@lang, 'en-'))]"#),
        (#"[lang|='']"#, #"descendant-or-self::*[@lang and (@lang = '' or starts-with(@lang, '-'))]"#),
        (#"[href^='https:']"#, #"descendant-or-self::*[@href and starts-with(@href, 'https:')]"#),
        (#"[href^='']"#, #"descendant-or-self::*[0]"#),
        (#"[href$=".pdf"]"#, #"descendant-or-self::*[@href and substring(@href, string-length(@href)-3) = '.pdf']"#),
        (#"[href$=x]"#, #"descendant-or-self::*[@href and substring(@href, string-length(@href)-0) = 'x']"#),
        (#"[href$='']"#, #"descendant-or-self::*[0]"#),
        (#"[href*=example]"#, #"descendant-or-self::*[@href and contains(@href, 'example')]"#),
        (#"[href*=""]"#, #"descendant-or-self::*[0]"#),
        // String literals: XPath has no escapes, so quotes pick the delimiter or concat().
        (#"[x="it's"]"#, #"descendant-or-self::*[@x = "it's"]"#),
        (#"[x='say "hi"']"#, #"descendant-or-self::*[@x = 'say "hi"']"#),
        (#"[x='a\'b"c']"#, #"descendant-or-self::*[@x = concat('a',"'",'b"c')]"#),
        // Escapes; names XPath cannot take as they are go through name().
        (#"[data\:x=y]"#, #"descendant-or-self::*[attribute::*[name() = 'data:x'] = 'y']"#),
        (#"my\:el"#, #"descendant-or-self::*[name() = 'my:el']"#),
        (#".a\ b"#, #"descendant-or-self::*[0]"#),
        (#"#\31 23"#, #"descendant-or-self::*[@id = '123']"#),
        (#".caf\E9"#, #"descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' café ')]"#),
        (#"#1st"#, #"descendant-or-self::*[@id = '1st']"#),
        // Combinators and lists.
        (#"div p"#, #"descendant-or-self::div/descendant-or-self::*/p"#),
        (#"div > p"#, #"descendant-or-self::div/p"#),
        (#"ul>li"#, #"descendant-or-self::ul/li"#),
        (#"h1 + p"#, #"descendant-or-self::h1/following-sibling::*[(name() = 'p') and (position() = 1)]"#),
        (#"h1 + *"#, #"descendant-or-self::h1/following-sibling::*[position() = 1]"#),
        (#"h1 + .x"#, #"descendant-or-self::h1/following-sibling::*[(@class and contains(concat(' ', normalize-space(@class), ' '), ' x ')) and (position() = 1)]"#),
        (#"a+b.c"#, #"descendant-or-self::a/following-sibling::*[((@class and contains(concat(' ', normalize-space(@class), ' '), ' c ')) and (name() = 'b')) and (position() = 1)]"#),
        (#"h1 ~ p"#, #"descendant-or-self::h1/following-sibling::p"#),
        (#"a, b"#, #"descendant-or-self::a | descendant-or-self::b"#),
        (#"a,b , c"#, #"descendant-or-self::a | descendant-or-self::b | descendant-or-self::c"#),
        (#"div *"#, #"descendant-or-self::div/descendant-or-self::*/*"#),
        // Structural pseudo-classes; an+b as cssselect's xpath_nth_child_function.
        (#"a:first-child"#, #"descendant-or-self::a[count(preceding-sibling::*) = 0]"#),
        (#"li:LAST-CHILD"#, #"descendant-or-self::li[count(following-sibling::*) = 0]"#),
        (#"li:nth-child(odd)"#, #"descendant-or-self::li[count(preceding-sibling::*) mod 2 = 0]"#),
        (#"li:nth-child(even)"#, #"descendant-or-self::li[(count(preceding-sibling::*) +1) mod 2 = 0]"#),
        (#"li:nth-child(3)"#, #"descendant-or-self::li[count(preceding-sibling::*) = 2]"#),
        (#"li:nth-child(+5)"#, #"descendant-or-self::li[count(preceding-sibling::*) = 4]"#),
        (#"li:nth-child(0)"#, #"descendant-or-self::li[count(preceding-sibling::*) = -1]"#),
        (#"li:nth-child(-n+3)"#, #"descendant-or-self::li[count(preceding-sibling::*) <= 2]"#),
        (#"li:nth-child(2n)"#, #"descendant-or-self::li[(count(preceding-sibling::*) +1) mod 2 = 0]"#),
        (#"li:nth-child( 2n + 1 )"#, #"descendant-or-self::li[count(preceding-sibling::*) mod 2 = 0]"#),
        (#"li:nth-child(3n+5)"#, #"descendant-or-self::li[(count(preceding-sibling::*) >= 4) and ((count(preceding-sibling::*) +2) mod 3 = 0)]"#),
        (#"li:nth-child(4n-6)"#, #"descendant-or-self::li[(count(preceding-sibling::*) +3) mod 4 = 0]"#),
        (#"li:nth-child(-2n+7)"#, #"descendant-or-self::li[(count(preceding-sibling::*) <= 6) and (count(preceding-sibling::*) mod -2 = 0)]"#),
        (#"li:nth-child(n)"#, #"descendant-or-self::li"#),
        (#"li:nth-child(n+5)"#, #"descendant-or-self::li[count(preceding-sibling::*) >= 4]"#),
        (#"li:nth-child(-n-1)"#, #"descendant-or-self::li[0]"#),
        // ASCII case-insensitive as CSS says (cssselect 1.2 rejects "ODD").
        (#"li:nth-child(ODD)"#, #"descendant-or-self::li[count(preceding-sibling::*) mod 2 = 0]"#),
        // :not() with one simple selector; "0" when the argument matches everything.
        (#"a:not(.b)"#, #"descendant-or-self::a[not(@class and contains(concat(' ', normalize-space(@class), ' '), ' b '))]"#),
        (#":not(div)"#, #"descendant-or-self::*[not(name() = 'div')]"#),
        (#"a:not([href])"#, #"descendant-or-self::a[not(@href)]"#),
        (#"a:not(#x)"#, #"descendant-or-self::a[not(@id = 'x')]"#),
        (#"li:not(:first-child)"#, #"descendant-or-self::li[not(count(preceding-sibling::*) = 0)]"#),
        (#"li:not(:nth-child(2n+1))"#, #"descendant-or-self::li[not(count(preceding-sibling::*) mod 2 = 0)]"#),
        (#"p:not(*)"#, #"descendant-or-self::p[0]"#),
        // White space inside the parentheses, as CSS allows (cssselect 1.2 rejects it).
        (#"a:not( .b )"#, #"descendant-or-self::a[not(@class and contains(concat(' ', normalize-space(@class), ' '), ' b '))]"#),
        // parsel's pseudo-elements; `p ::text` includes p's own text nodes, as in parsel.
        (#"::text"#, #"descendant-or-self::text()"#),
        (#"p::text"#, #"descendant-or-self::p/text()"#),
        (#"p ::text"#, #"descendant-or-self::p/descendant-or-self::text()"#),
        (#"p > ::text"#, #"descendant-or-self::p/*/text()"#),
        (#"a.b::TEXT"#, #"descendant-or-self::a[@class and contains(concat(' ', normalize-space(@class), ' '), ' b ')]/text()"#),
        (#"a::attr(href)"#, #"descendant-or-self::a/@href"#),
        (#"a ::attr(href)"#, #"descendant-or-self::a/descendant-or-self::*/@href"#),
        (#"::attr(href)"#, #"descendant-or-self::*/@href"#),
        (#"a::attr("data-id")"#, #"descendant-or-self::a/@data-id"#),
        // Lowercased like [attr] names, since libxml2 lowercases them (parsel keeps "SRC").
        (#"img::attr(SRC)"#, #"descendant-or-self::img/@src"#),
        // Not an XPath name: cssselect's name() form rather than an invalid "@xml:lang".
        (#"a::attr(xml\:lang)"#, #"descendant-or-self::a/attribute::*[name() = 'xml:lang']"#),
        (#"a::text, c::attr(x)"#, #"descendant-or-self::a/text() | descendant-or-self::c/@x"#),
        // All together.
        (#"div#main > ul.nav li:nth-child(2) a[href^="/"]::attr(href)"#, #"descendant-or-self::div[@id = 'main']/ul[@class and contains(concat(' ', normalize-space(@class), ' '), ' nav ')]/descendant-or-self::*/li[count(preceding-sibling::*) = 1]/descendant-or-self::*/a[@href and starts-with(@href, '/')]/@href"#),
    ]

    @Test("translates as cssselect and parsel do", arguments: translations)
    func translates(css: String, xpath: String) throws {
        let selector = try CSSSelector(css)
        #expect(selector.xpath == xpath)
        #expect(selector.source == css)
    }

    /// Every CSS white space character separates, and counts as a descendant combinator;
    /// escapes and newlines in strings follow CSS Syntax.
    static let whitespaceCases: [(css: String, xpath: String)] = [
        ("div\n\tp", "descendant-or-self::div/descendant-or-self::*/p"),
        ("div\r\n>\u{0C}p", "descendant-or-self::div/p"),
        ("\t a , b \n", "descendant-or-self::a | descendant-or-self::b"),
        ("[\nx\t=\r'y'\n]", "descendant-or-self::*[@x = 'y']"),
        // An escape's hex digits end at one white space character, which it swallows.
        ("#\\31 \n.x", "descendant-or-self::*[@id = '1']/descendant-or-self::*/*[@class and contains(concat(' ', normalize-space(@class), ' '), ' x ')]"),
        ("[x='\\41 b']", "descendant-or-self::*[@x = 'Ab']"),
        // A backslash before a newline continues the string.
        ("[x=\"a\\\nb\"]", "descendant-or-self::*[@x = 'ab']"),
        // NUL, written or escaped, becomes U+FFFD, which also keeps it out of libxml2's C string.
        ("[x=\"\u{0}\"]", "descendant-or-self::*[@x = '\u{FFFD}']"),
        ("#\\0", "descendant-or-self::*[@id = '\u{FFFD}']"),
    ]

    @Test("treats white space and escapes as CSS does", arguments: whitespaceCases)
    func separatesOnWhitespace(css: String, xpath: String) throws {
        #expect(try CSSSelector(css).xpath == xpath)
    }

    static let rejections: [(css: String, message: String)] = [
        ("", "empty selector"),
        (#"   "#, #"empty selector"#),
        // Unbalanced brackets and stray characters.
        (#"a["#, #"expected ']' at offset 2"#),
        (#"a[href"#, #"expected ']' at offset 6"#),
        (#"[x=a"#, #"expected ']' at offset 4"#),
        (#"a:not(b"#, #"expected ')' at offset 7"#),
        (#"a:not(b))"#, #"unexpected ')' at offset 8"#),
        (#"a)"#, #"unexpected ')' at offset 1"#),
        (#"a{}"#, #"unexpected '{' at offset 1"#),
        // Unsupported pseudo-classes and pseudo-elements.
        (#"a:hover"#, #"unsupported pseudo-class :hover at offset 1"#),
        (#"a:nth-of-type(2)"#, #"unsupported pseudo-class :nth-of-type() at offset 1"#),
        (#"a:first-child()"#, #"unsupported pseudo-class :first-child() at offset 1"#),
        (#"a::before"#, #"unsupported pseudo-element ::before at offset 1"#),
        (#"a:text"#, #"unsupported pseudo-class :text at offset 1 (did you mean ::text?)"#),
        // Pseudo-elements only at the very end of a selector.
        (#"p::text a"#, #"pseudo-element ::text at offset 1 is not at the end of the selector"#),
        (#"p::text.x"#, #"pseudo-element ::text at offset 1 is not at the end of the selector"#),
        (#"a::attr(href)::text"#, #"pseudo-element ::attr(href) at offset 1 is not at the end of the selector"#),
        (#"::attr"#, #"::attr at offset 0 needs an attribute name, as in ::attr(href)"#),
        (#"a::attr()"#, #"expected an attribute name in ::attr() at offset 8"#),
        (#"a::attr(a b)"#, #"expected ')' at offset 10: ::attr() takes one attribute name"#),
        (#"a::attr('')"#, #"empty attribute name in ::attr() at offset 8"#),
        // Combinators and lists with a side missing.
        (#"div >"#, #"dangling combinator '>' at offset 4"#),
        (#"> div"#, #"expected a selector before '>' at offset 0"#),
        (#"a > > b"#, #"unexpected '>' at offset 4"#),
        (#",a"#, #"expected a selector before ',' at offset 0"#),
        (#"a, "#, #"expected a selector after ',' at offset 1"#),
        // :not() takes exactly one simple selector.
        (#":not(a b)"#, #"expected ')' at offset 7: :not() takes one simple selector"#),
        (#":not(a.b)"#, #"expected ')' at offset 6: :not() takes one simple selector"#),
        (#":not(:not(a))"#, #"nested :not() at offset 5 is not supported"#),
        (#":not(::text)"#, #"pseudo-element at offset 5 is not allowed inside :not()"#),
        (#"a:not()"#, #"expected a simple selector inside :not() at offset 6"#),
        // Bad an+b (CSS Syntax's grammar: no space inside "2n", a sign stuck to its number).
        (#":nth-child"#, #":nth-child at offset 0 needs an argument, as in :nth-child(2n+1)"#),
        (#":nth-child()"#, #"expected an+b (as in 2n+1, odd, even, 3) in :nth-child() at offset 11"#),
        (#":nth-child(2n+)"#, #"invalid an+b '2n+' in :nth-child() at offset 11"#),
        (#":nth-child(foo)"#, #"invalid an+b 'foo' in :nth-child() at offset 11"#),
        (#":nth-child(2 n)"#, #"invalid an+b '2 n' in :nth-child() at offset 11"#),
        (#":nth-child(- n+1)"#, #"invalid an+b '- n+1' in :nth-child() at offset 11"#),
        (#":nth-child(99999999999)"#, #"invalid an+b '99999999999' in :nth-child() at offset 11"#),
        // Attribute selectors.
        (#"[href!=x]"#, #"unsupported attribute operator '!=' at offset 5"#),
        (#"[href=1]"#, #"expected an identifier or a quoted string as the attribute value at offset 6"#),
        (#"[x~=a i]"#, #"expected ']' at offset 6"#),
        (#"a[x='unclosed]"#, #"unclosed string at offset 4"#),
        ("a[x='new\nline']", #"unescaped newline in the string at offset 4"#),
        // Namespaces, misplaced type selectors, bad escapes.
        (#"ns|a"#, #"unsupported namespace separator '|' at offset 2"#),
        (#"[*|x]"#, #"unsupported namespace separator '|' at offset 2"#),
        (#"div."#, #"expected a class name after '.' at offset 3"#),
        (#"#"#, #"expected an id after '#' at offset 0"#),
        (#"*.x*"#, #"'*' at offset 3 must come first in its compound selector"#),
        (#"[x]a"#, #"type selector at offset 3 must come first in its compound selector"#),
        ("a\\", #"incomplete escape at offset 1"#),
    ]

    @Test("rejects with a message naming what and where", arguments: rejections)
    func rejects(css: String, message: String) {
        let error = #expect(throws: CSSSelectorError.self) { try CSSSelector(css) }
        #expect(error?.selector == css)
        #expect(error?.message == message)
    }

    /// Found by fuzz-css-selector: "\n\\4" compiled to `name() = '\u{4}'`, which libxml2 refuses
    /// (XPath has no escapes, and XML no U+0004), so a selector that "compiled" made no rule.
    @Test("rejects characters XPath can't hold, and only those", arguments: [
        ("\n\\4", "U+0004 at offset 1 is not allowed in XML, so XPath can't match it"),
        (#"[title="a\b"]"#, "U+000B at offset 9 is not allowed in XML, so XPath can't match it"),
        ("[title='a\u{1}']", "U+0001 at offset 9 is not allowed in XML, so XPath can't match it"),
        (#".x\ffff"#, "U+FFFF at offset 2 is not allowed in XML, so XPath can't match it"),
        ("#a\u{FFFE}", "U+FFFE at offset 2 is not allowed in XML, so XPath can't match it"),
        (#"a::attr(\1f)"#, "U+001F at offset 8 is not allowed in XML, so XPath can't match it"),
    ])
    func rejectsWhatXPathCantHold(css: String, message: String) throws {
        let error = #expect(throws: CSSSelectorError.self) { try CSSSelector(css) }
        #expect(error?.message == message)
        // XML's own control characters still compile, into rules libxml2 takes.
        for allowed in [#"[title="a\9 b"]"#, #"[title="a\d"]"#, #".\a x"#, "[title='\u{85}\u{FFFD}']"] {
            _ = try ExtractionRule(name: "x", css: allowed)
        }
    }

    @Test("describes an error on one line")
    func describes() {
        let error = #expect(throws: CSSSelectorError.self) { try CSSSelector("a[") }
        #expect(error?.description == "invalid CSS selector 'a[': expected ']' at offset 2")
        let multiline = #expect(throws: CSSSelectorError.self) { try CSSSelector("a,\n\tb[") }
        #expect(multiline?.description == #"invalid CSS selector 'a,\n\tb[': expected ']' at offset 6"#)
    }

    @Test("counts offsets in Unicode scalars")
    func offsetsInScalars() {
        // "é" is one scalar here but two UTF-8 bytes; "👍🏽" is two scalars, one Character.
        let error = #expect(throws: CSSSelectorError.self) { try CSSSelector("p.é, 👍🏽)") }
        #expect(error?.message == "unexpected ')' at offset 7")
    }

    @Test("is a value: equal for the same source")
    func hashable() throws {
        let a = try CSSSelector("ul > li")
        #expect(a == (try CSSSelector("ul > li")))
        #expect(a != (try CSSSelector("ul>li")))
        #expect(Set([a, try CSSSelector("ul > li")]).count == 1)
    }
}
