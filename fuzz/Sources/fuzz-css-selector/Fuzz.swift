import FuzzSupport
@testable import ParFetch

/// The CSS selector compiler: the input (as UTF-8, invalid bytes replaced) is compiled as a
/// selector, as an `--select` rule and as an `--xpath` rule, and its text is made an XPath
/// string literal.
///
/// Invariants: a selector either compiles or throws an error whose description is one line;
/// a compiled selector's XPath is accepted by libxml2 (the rule is created) and evaluates on a
/// page; a rule that can't be created says why in one line; and the XPath literal of any
/// text of XML characters evaluates, in libxml2, to that text.
// libFuzzer runs inputs one at a time on one thread: the document is not shared.
nonisolated(unsafe) private let page: HTMLDocument = {
    let html = #"<html lang="en"><body><div id="a" class="x y"><p>one</p><a href="/b" title='q"uo'>two</a></div></body></html>"#
    return Array(html.utf8).withUnsafeBufferPointer { HTMLDocument(utf8: $0, url: "http://example.com/")! }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)

    var compiled: CSSSelector?
    do {
        compiled = try CSSSelector(text)
    } catch let error as CSSSelectorError {
        invariant(isOneLine(error.description), "CSSSelectorError spans lines: \(error.description)")
    } catch {
        invariant(false, "CSSSelector threw \(type(of: error)), not CSSSelectorError")
    }

    do {
        let rule = try ExtractionRule(name: "rule", css: text)
        invariant(compiled != nil, "the rule was created from a selector that does not compile")
        _ = Extractor([rule]).extract(from: page)
    } catch {
        invariant(compiled == nil, "selector \(text) compiled to \(compiled!.xpath), which libxml2 refuses: \(error)")
        invariant(isOneLine(error.description), "ExtractionRuleError spans lines: \(error.description)")
    }
    // The text as a rule name, and as a raw XPath rule: errors still one line.
    do {
        _ = try ExtractionRule(name: text, css: "p")
    } catch {
        invariant(isOneLine(error.description), "ExtractionRuleError for a bad name spans lines: \(error.description)")
    }
    do {
        let rule = try ExtractionRule(name: "rule", xpath: text)
        _ = Extractor([rule]).extract(from: page)
    } catch {
        invariant(isOneLine(error.description), "ExtractionRuleError spans lines: \(error.description)")
    }

    // Literals: XPath 1.0 has no escapes, so only text of XML characters can be written as one
    // (libxml2 refuses a literal holding U+000B, say; and reads C strings, so no NUL either).
    if text.unicodeScalars.allSatisfy(isXMLCharacter) {
        let literal = CSSXPathTranslator.literal(text)
        do {
            let values = page.strings(try CompiledXPath("string(\(literal))"))
            invariant(values == [text], "literal \(literal) evaluates to \(values), not \(text)")
        } catch {
            invariant(false, "literal \(literal) does not compile: \(error.message)")
        }
    }
    return 0
}

/// XML 1.0's Char production, without NUL.
private func isXMLCharacter(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
    default: false
    }
}
