/// Reads a page's default record fields straight from its bytes, several times faster than
/// building a DOM (libxml2 builds one only for user selectors). It follows the HTML tokenizer
/// wherever that changes these fields: comments, raw text (`<script>`, `<style>`, …), RCDATA
/// (`<title>`, `<textarea>`), attribute quoting, first-wins duplicate attributes, character
/// references. It keeps no tree: each field comes from the first element that has it,
/// wherever it stands.
///
/// The low-level scanner, public only for the `parse-bench` benchmark.
public enum PageScanner {
    /// Scans UTF-8 HTML (already decoded by the caller; NUL bytes are allowed).
    public static func scan(_ html: UnsafeBufferPointer<UInt8>) -> ScannedPage {
        var links: [String] = []
        var page = scan(html) { href, _ in
            links.append(href)
            return true
        }
        page.links = links
        return page
    }

    /// Scans as above, but hands each link's `href` to `link` as it is found instead of
    /// keeping it in `links` (which stays empty), with the page's `<base href>` if one came
    /// before it. Once `link` returns false the rest of the page's links are skipped without
    /// being made into strings: a page of a million links costs what its first ones do.
    public static func scan(
        _ html: UnsafeBufferPointer<UInt8>, link: (_ href: String, _ baseSoFar: String?) -> Bool
    ) -> ScannedPage {
        guard let bytes = html.baseAddress, !html.isEmpty else { return ScannedPage() }
        return withoutActuallyEscaping(link) { link in
            var scan = Scan(bytes, count: html.count)
            scan.onLink = link
            scan.run()
            return scan.page
        }
    }
}

/// One scan: walks the page from `<` to `<` and reads the tags that hold a field.
private struct Scan {
    var cursor: MarkupCursor
    let text: HTMLText
    var page = ScannedPage()
    /// Takes each link's `href` and the `<base href>` seen so far; false once it wants no more.
    var onLink: (String, String?) -> Bool = { _, _ in true }
    var wantsLinks = true

    init(_ bytes: UnsafePointer<UInt8>, count: Int) {
        cursor = MarkupCursor(bytes, count: count)
        text = HTMLText(bytes)
    }

    /// Elements whose tags hold a field or change how the content after them is read.
    private enum Element {
        case anchor, html, meta, link, base, title, script, plaintext, other
        /// Content is text up to the matching end tag: RAWTEXT, and RCDATA other than title.
        case rawText(StaticString)
    }

    mutating func run() {
        let bytes = cursor.bytes
        while !cursor.finished, let open = cursor.find(UInt8(ascii: "<"), from: cursor.position) {
            let next = open + 1
            // A `<` that starts no markup is text, and so is one at the very end.
            guard next < cursor.end else { return }
            let byte = bytes[next]
            if byte.isHTMLLetter {
                cursor.position = next
                startTag()
            } else if byte == UInt8(ascii: "/") {
                endTag(at: next + 1)
            } else if byte == UInt8(ascii: "!") {
                cursor.position = next + 1
                if next + 2 < cursor.end && bytes[next + 1] == UInt8(ascii: "-") && bytes[next + 2] == UInt8(ascii: "-") {
                    cursor.position = next + 3
                    cursor.skipComment()
                } else {
                    cursor.skipBogusComment()
                }
            } else if byte == UInt8(ascii: "?") {
                cursor.position = next + 1
                cursor.skipBogusComment()
            } else {
                cursor.position = next
            }
        }
    }

    /// `</` then a letter (an end tag: its attributes are read only to find its `>`), `>`
    /// (nothing), or anything else (a bogus comment); at the end of input, text.
    private mutating func endTag(at start: Int) {
        guard start < cursor.end else { return cursor.finish() }
        let byte = cursor.bytes[start]
        cursor.position = start
        if byte.isHTMLLetter {
            _ = cursor.tagName()
            _ = cursor.skipAttributes()
        } else if byte == UInt8(ascii: ">") {
            cursor.position = start + 1
        } else {
            cursor.skipBogusComment()
        }
    }

    private mutating func startTag() {
        switch element(cursor.tagName()) {
        case .anchor:
            guard wantsLinks else {
                _ = cursor.skipAttributes()
                return
            }
            var href: Range<Int>?
            while let attribute = cursor.nextAttribute() {
                if href == nil && cursor.spells(attribute.name, "href") { href = attribute.value }
            }
            guard !cursor.finished, let href else { return }
            wantsLinks = onLink(text.trimmed(href), page.base)
        case .html:
            // A later `<html>` adds the attributes the first one lacked (tree builder), so the
            // first `lang` on any `<html>` tag is the one the document has.
            var lang: Range<Int>?
            while let attribute = cursor.nextAttribute() {
                if lang == nil && cursor.spells(attribute.name, "lang") { lang = attribute.value }
            }
            guard !cursor.finished, page.lang == nil, let lang else { return }
            page.lang = text.trimmed(lang)
        case .meta:
            meta()
        case .link:
            var rel: Range<Int>?
            var href: Range<Int>?
            while let attribute = cursor.nextAttribute() {
                if rel == nil && cursor.spells(attribute.name, "rel") { rel = attribute.value }
                if href == nil && cursor.spells(attribute.name, "href") { href = attribute.value }
            }
            guard !cursor.finished, page.canonical == nil, let rel, let href,
                  text.value(rel, hasToken: "canonical") else { return }
            page.canonical = text.trimmed(href)
        case .base:
            var href: Range<Int>?
            while let attribute = cursor.nextAttribute() {
                if href == nil && cursor.spells(attribute.name, "href") { href = attribute.value }
            }
            guard !cursor.finished, page.base == nil, let href else { return }
            page.base = text.trimmed(href)
        case .title:
            // RCDATA: references decode, tags do not exist. Every title's content is skipped;
            // the first one's is the field.
            guard cursor.skipAttributes() else { return }
            let start = cursor.position
            let end = cursor.skipRawText(until: "title")
            if page.title == nil { page.title = text.collapsed(start..<end, in: .text) }
        case .script:
            guard cursor.skipAttributes() else { return }
            cursor.skipScriptData()
        case .rawText(let name):
            guard cursor.skipAttributes() else { return }
            _ = cursor.skipRawText(until: name)
        case .plaintext:
            // Everything after `<plaintext>` is text; no end tag ends it.
            cursor.finish()
        case .other:
            _ = cursor.skipAttributes()
        }
    }

    private mutating func meta() {
        var name: Range<Int>?
        var property: Range<Int>?
        var content: Range<Int>?
        while let attribute = cursor.nextAttribute() {
            if name == nil && cursor.spells(attribute.name, "name") {
                name = attribute.value
            } else if property == nil && cursor.spells(attribute.name, "property") {
                property = attribute.value
            } else if content == nil && cursor.spells(attribute.name, "content") {
                content = attribute.value
            }
        }
        guard !cursor.finished, let content else { return }
        if page.description == nil, let name, text.value(name, is: "description") {
            page.description = text.collapsed(content, in: .attribute)
        }
        if page.ogDescription == nil, let property, text.value(property, is: "og:description") {
            page.ogDescription = text.collapsed(content, in: .attribute)
        }
    }

    /// Which element a start tag's name (any case) is; most are `.other` after one byte.
    @inline(__always)
    private func element(_ name: Range<Int>) -> Element {
        let count = name.count
        switch cursor.bytes[name.lowerBound] | 0x20 {
        case UInt8(ascii: "a"):
            if count == 1 || cursor.spells(name, "area") { return .anchor }
        case UInt8(ascii: "b"):
            if cursor.spells(name, "base") { return .base }
        case UInt8(ascii: "h"):
            if cursor.spells(name, "html") { return .html }
        case UInt8(ascii: "i"):
            if cursor.spells(name, "iframe") { return .rawText("iframe") }
        case UInt8(ascii: "l"):
            if cursor.spells(name, "link") { return .link }
        case UInt8(ascii: "m"):
            if cursor.spells(name, "meta") { return .meta }
        case UInt8(ascii: "n"):
            if cursor.spells(name, "noembed") { return .rawText("noembed") }
            if cursor.spells(name, "noframes") { return .rawText("noframes") }
        case UInt8(ascii: "p"):
            if cursor.spells(name, "plaintext") { return .plaintext }
        case UInt8(ascii: "s"):
            if cursor.spells(name, "script") { return .script }
            if cursor.spells(name, "style") { return .rawText("style") }
        case UInt8(ascii: "t"):
            if cursor.spells(name, "title") { return .title }
            if cursor.spells(name, "textarea") { return .rawText("textarea") }
        case UInt8(ascii: "x"):
            if cursor.spells(name, "xmp") { return .rawText("xmp") }
        default:
            break
        }
        return .other
    }
}
