// The parse tree of the CSS subset that CSSSelector supports, and a recursive-descent parser
// for it. The parser works on Unicode scalars so that every offset in an error message is a
// scalar offset into the selector as written.

/// The parse tree. Namespaced because the module is shared and names like `Combinator` are
/// likely elsewhere.
enum CSSSyntax {
    /// One selector of a comma-separated list: compound selectors joined by combinators, with
    /// an optional pseudo-element after the last one.
    struct Complex: Equatable {
        var first: Compound
        var rest: [Step]
        var pseudoElement: PseudoElement?
    }

    /// A combinator and the compound selector on its right.
    struct Step: Equatable {
        var combinator: Combinator
        var compound: Compound
    }

    enum Combinator: Equatable {
        case descendant         // white space
        case child              // >
        case nextSibling        // +
        case subsequentSibling  // ~
    }

    /// A type selector (nil for `*` or none) followed by simple selectors in source order; the
    /// order matters because cssselect nests conditions in that order.
    struct Compound: Equatable {
        var typeName: String?
        var simples: [Simple]
    }

    indirect enum Simple: Equatable {
        case id(String)
        case className(String)
        case attribute(name: String, match: AttributeMatch?)
        case firstChild
        case lastChild
        case nthChild(a: Int, b: Int)
        /// One simple selector, held as a compound so that a type selector fits.
        case negation(Compound)
    }

    struct AttributeMatch: Equatable {
        var op: AttributeOperator
        var value: String
    }

    enum AttributeOperator: String, Equatable {
        case equals = "="
        case includes = "~="
        case dashMatch = "|="
        case prefix = "^="
        case suffix = "$="
        case substring = "*="
    }

    /// parsel's pseudo-elements.
    enum PseudoElement: Equatable {
        case text
        case attribute(String)
    }
}

/// A parse failure: the message only; CSSSelector adds the selector.
struct CSSParseFailure: Error {
    var message: String
}

/// Parses a selector list. Names the parser returns are already unescaped; type and attribute
/// names are lowercased (ASCII only, as libxml2's HTML parser does), values are not.
struct CSSSelectorParser {
    private let s: [Unicode.Scalar]
    private var i = 0

    init(_ source: String) {
        // CSS replaces NUL with U+FFFD before parsing; it also keeps NUL out of the XPath,
        // which libxml2 reads as a C string.
        s = source.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }
    }

    mutating func parseList() throws(CSSParseFailure) -> [CSSSyntax.Complex] {
        skipWhitespace()
        if atEnd { throw fail("empty selector") }
        var list: [CSSSyntax.Complex] = []
        while true {
            if peek() == "," { throw fail("expected a selector before ',' at offset \(i)") }
            list.append(try parseComplex())
            if atEnd { return list }
            // parseComplex stops only at the end or at a comma.
            let comma = i
            i += 1
            skipWhitespace()
            if atEnd { throw fail("expected a selector after ',' at offset \(comma)") }
        }
    }

    // MARK: - Complex and compound selectors

    private mutating func parseComplex() throws(CSSParseFailure) -> CSSSyntax.Complex {
        guard let first = try parseCompound() else { throw unexpected(leading: true) }
        var node = CSSSyntax.Complex(first: first.compound, rest: [], pseudoElement: nil)
        var pseudo = first.pseudo
        while true {
            let hadSpace = skipWhitespace()
            if atEnd || peek() == "," { break }
            if let pseudo { throw notAtEnd(pseudo) }
            let combinator: CSSSyntax.Combinator
            if let c = peek(), let explicit = Self.combinators[c] {
                let at = i
                i += 1
                skipWhitespace()
                if atEnd || peek() == "," {
                    throw fail("dangling combinator '\(c)' at offset \(at)")
                }
                combinator = explicit
            } else if hadSpace {
                combinator = .descendant
            } else {
                throw unexpected(leading: false)
            }
            guard let next = try parseCompound() else { throw unexpected(leading: false) }
            node.rest.append(CSSSyntax.Step(combinator: combinator, compound: next.compound))
            pseudo = next.pseudo
        }
        node.pseudoElement = pseudo?.node
        return node
    }

    private static let combinators: [Unicode.Scalar: CSSSyntax.Combinator] = [
        ">": .child, "+": .nextSibling, "~": .subsequentSibling,
    ]

    /// A parsed pseudo-element and where it was, for "not at the end" errors.
    private struct PlacedPseudoElement {
        var node: CSSSyntax.PseudoElement
        var name: String
        var offset: Int
    }

    /// Returns nil when nothing at the current position starts a compound selector.
    private mutating func parseCompound() throws(CSSParseFailure)
        -> (compound: CSSSyntax.Compound, pseudo: PlacedPseudoElement?)?
    {
        let start = i
        var compound = CSSSyntax.Compound(typeName: nil, simples: [])
        if peek() == "*" {
            i += 1
            try rejectNamespace()
        } else if startsIdentifier(at: i) {
            compound.typeName = try CSSSyntax.asciiLowercased(parseName())
            try rejectNamespace()
        }
        var pseudo: PlacedPseudoElement?
        loop: while let c = peek() {
            let startsSimple = c == "#" || c == "." || c == "[" || c == ":"
            if let pseudo, startsSimple || c == "*" || startsIdentifier(at: i) {
                throw notAtEnd(pseudo)
            }
            switch c {
            case "#", ".", "[":
                compound.simples.append(try parseSimple())
            case ":" where peek(1) == ":":
                pseudo = try parsePseudoElement()
            case ":":
                compound.simples.append(try parsePseudoClass(insideNegation: false))
            case "*":
                throw fail("'*' at offset \(i) must come first in its compound selector")
            case "|":
                throw namespace(at: i)
            case "\\" where !startsIdentifier(at: i):
                throw fail("incomplete escape at offset \(i)")
            case _ where startsIdentifier(at: i):
                throw fail("type selector at offset \(i) must come first in its compound selector")
            default:
                break loop
            }
        }
        return i == start ? nil : (compound: compound, pseudo: pseudo)
    }

    /// `#id`, `.class` or `[attr…]`.
    private mutating func parseSimple() throws(CSSParseFailure) -> CSSSyntax.Simple {
        let at = i
        switch s[i] {
        case "#":
            i += 1
            // An id may start with a digit (a CSS hash token), as cssselect accepts.
            guard i < s.count, isNameCharacter(s[i]) || isValidEscape(at: i) else {
                throw fail("expected an id after '#' at offset \(at)")
            }
            return .id(try parseName())
        case ".":
            i += 1
            guard startsIdentifier(at: i) else {
                throw fail("expected a class name after '.' at offset \(at)")
            }
            return .className(try parseName())
        default:
            return try parseAttribute()
        }
    }

    private mutating func rejectNamespace() throws(CSSParseFailure) {
        if peek() == "|" && peek(1) != "=" { throw namespace(at: i) }
    }

    // MARK: - Attribute selectors

    private mutating func parseAttribute() throws(CSSParseFailure) -> CSSSyntax.Simple {
        i += 1  // [
        skipWhitespace()
        try expectNotAtEnd("]")
        if peek() == "|" { throw namespace(at: i) }
        if peek() == "*" && peek(1) == "|" { throw namespace(at: i + 1) }
        guard startsIdentifier(at: i) else {
            throw fail("expected an attribute name at offset \(i)")
        }
        let name = try CSSSyntax.asciiLowercased(parseName())
        try rejectNamespace()
        skipWhitespace()
        try expectNotAtEnd("]")
        if peek() == "]" {
            i += 1
            return .attribute(name: name, match: nil)
        }
        let opStart = i
        let op: CSSSyntax.AttributeOperator
        if peek() == "=" {
            op = .equals
            i += 1
        } else if peek(1) == "=", let c = peek(), let found = CSSSyntax.AttributeOperator(rawValue: "\(c)=") {
            op = found
            i += 2
        } else if peek() == "!" && peek(1) == "=" {
            throw fail("unsupported attribute operator '!=' at offset \(opStart)")
        } else {
            throw fail("expected an attribute operator or ']' at offset \(opStart)")
        }
        skipWhitespace()
        guard let c = peek() else {
            throw fail("expected an attribute value at offset \(i)")
        }
        let value: String
        if c == "'" || c == "\"" {
            value = try parseString()
        } else if startsIdentifier(at: i) {
            value = try parseName()
        } else {
            throw fail("expected an identifier or a quoted string as the attribute value at offset \(i)")
        }
        skipWhitespace()
        guard peek() == "]" else { throw fail("expected ']' at offset \(i)") }
        i += 1
        return .attribute(name: name, match: CSSSyntax.AttributeMatch(op: op, value: value))
    }

    // MARK: - Pseudo-classes and pseudo-elements

    private mutating func parsePseudoClass(insideNegation: Bool) throws(CSSParseFailure)
        -> CSSSyntax.Simple
    {
        let at = i
        i += 1  // :
        guard startsIdentifier(at: i) else {
            throw fail("expected a pseudo-class name after ':' at offset \(at)")
        }
        let name = try parseName()
        let key = CSSSyntax.asciiLowercased(name)
        guard peek() == "(" else {
            switch key {
            case "first-child": return .firstChild
            case "last-child": return .lastChild
            case "nth-child", "not":
                throw fail(":\(key) at offset \(at) needs an argument, as in \(key == "not" ? ":not(.x)" : ":nth-child(2n+1)")")
            case "text", "attr":
                throw fail("unsupported pseudo-class :\(CSSSyntax.oneLine(name)) at offset \(at) (did you mean ::\(key)?)")
            default:
                throw fail("unsupported pseudo-class :\(CSSSyntax.oneLine(name)) at offset \(at)")
            }
        }
        i += 1  // (
        switch key {
        case "nth-child":
            let (a, b) = try parseNthArgument()
            return .nthChild(a: a, b: b)
        case "not":
            if insideNegation { throw fail("nested :not() at offset \(at) is not supported") }
            return .negation(try parseNegationArgument())
        default:
            throw fail("unsupported pseudo-class :\(CSSSyntax.oneLine(name))() at offset \(at)")
        }
    }

    /// One simple selector, then ')'.
    private mutating func parseNegationArgument() throws(CSSParseFailure) -> CSSSyntax.Compound {
        skipWhitespace()
        try expectNotAtEnd(")")
        var node = CSSSyntax.Compound(typeName: nil, simples: [])
        switch s[i] {
        case "*":
            i += 1
            try rejectNamespace()
        case "#", ".", "[":
            node.simples.append(try parseSimple())
        case ":" where peek(1) == ":":
            throw fail("pseudo-element at offset \(i) is not allowed inside :not()")
        case ":":
            node.simples.append(try parsePseudoClass(insideNegation: true))
        case _ where startsIdentifier(at: i):
            node.typeName = try CSSSyntax.asciiLowercased(parseName())
            try rejectNamespace()
        default:
            throw fail("expected a simple selector inside :not() at offset \(i)")
        }
        skipWhitespace()
        try expectNotAtEnd(")")
        guard peek() == ")" else {
            throw fail("expected ')' at offset \(i): :not() takes one simple selector")
        }
        i += 1
        return node
    }

    /// The An+B microsyntax of CSS Syntax 3 (§6), then ')'. Stricter than cssselect, which
    /// glues tokens together and so also accepts `2 n+1` or `- n+3`.
    private mutating func parseNthArgument() throws(CSSParseFailure) -> (Int, Int) {
        skipWhitespace()
        let start = i
        guard let close = s[i...].firstIndex(of: ")") else {
            throw fail("expected ')' at offset \(s.count)")
        }
        var end = close
        while end > start, CSSSyntax.isWhitespace(s[end - 1]) { end -= 1 }
        if end == start {
            throw fail("expected an+b (as in 2n+1, odd, even, 3) in :nth-child() at offset \(start)")
        }
        let text = Array(s[start..<end])
        guard let parsed = Self.parseAnB(text) else {
            let shown = CSSSyntax.oneLine(String(String.UnicodeScalarView(text)))
            throw fail("invalid an+b '\(shown)' in :nth-child() at offset \(start)")
        }
        i = close + 1
        return parsed
    }

    /// Numbers are capped at Int32's range so that cssselect's arithmetic cannot overflow.
    static func parseAnB(_ text: [Unicode.Scalar]) -> (Int, Int)? {
        let t = text.map { c -> Unicode.Scalar in
            ("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 32)! : c
        }
        let word = String(String.UnicodeScalarView(t))
        if word == "odd" { return (2, 1) }
        if word == "even" { return (2, 0) }
        var k = 0
        func sign() -> Int? {
            guard k < t.count, t[k] == "+" || t[k] == "-" else { return nil }
            defer { k += 1 }
            return t[k] == "-" ? -1 : 1
        }
        // nil when there are none; large values are clamped, then rejected against `limit`.
        func digits() -> Int? {
            let first = k
            var value = 0
            while k < t.count, ("0"..."9").contains(t[k]) {
                value = min(value * 10 + Int(t[k].value - 48), Int.max / 20)
                k += 1
            }
            return k == first ? nil : value
        }
        let limit = Int(Int32.max)
        let aSign = sign() ?? 1
        let aDigits = digits()
        guard k < t.count, t[k] == "n" else {
            // Just b.
            guard k == t.count, let b = aDigits, b <= limit else { return nil }
            return (0, aSign * b)
        }
        k += 1
        let a = aSign * (aDigits ?? 1)
        guard abs(a) <= limit else { return nil }
        while k < t.count, CSSSyntax.isWhitespace(t[k]) { k += 1 }
        if k == t.count { return (a, 0) }
        guard let bSign = sign() else { return nil }
        while k < t.count, CSSSyntax.isWhitespace(t[k]) { k += 1 }
        guard let b = digits(), b <= limit, k == t.count else { return nil }
        return (a, bSign * b)
    }

    private mutating func parsePseudoElement() throws(CSSParseFailure) -> PlacedPseudoElement {
        let at = i
        i += 2  // ::
        guard startsIdentifier(at: i) else {
            throw fail("expected a pseudo-element name after '::' at offset \(at)")
        }
        let name = try parseName()
        let key = CSSSyntax.asciiLowercased(name)
        guard peek() == "(" else {
            switch key {
            case "text":
                return PlacedPseudoElement(node: .text, name: "text", offset: at)
            case "attr":
                throw fail("::attr at offset \(at) needs an attribute name, as in ::attr(href)")
            default:
                throw fail("unsupported pseudo-element ::\(CSSSyntax.oneLine(name)) at offset \(at)")
            }
        }
        guard key == "attr" else {
            throw fail("unsupported pseudo-element ::\(CSSSyntax.oneLine(name))() at offset \(at)")
        }
        i += 1  // (
        skipWhitespace()
        try expectNotAtEnd(")")
        let argumentStart = i
        let argument: String
        if s[i] == "'" || s[i] == "\"" {
            argument = try parseString()
        } else if startsIdentifier(at: i) {
            argument = try parseName()
        } else {
            throw fail("expected an attribute name in ::attr() at offset \(i)")
        }
        if argument.isEmpty { throw fail("empty attribute name in ::attr() at offset \(argumentStart)") }
        skipWhitespace()
        try expectNotAtEnd(")")
        guard peek() == ")" else {
            throw fail("expected ')' at offset \(i): ::attr() takes one attribute name")
        }
        i += 1
        // Lowercased like [attr] names, because libxml2's HTML parser lowercases them.
        let lowered = CSSSyntax.asciiLowercased(argument)
        return PlacedPseudoElement(node: .attribute(lowered), name: "attr(\(lowered))", offset: at)
    }

    // MARK: - Tokens: identifiers, names, strings, escapes

    /// An identifier: `-`? then a name-start (letter, `_`, non-ASCII, escape) or a second `-`,
    /// then name characters.
    private func startsIdentifier(at p: Int) -> Bool {
        guard p < s.count else { return false }
        if s[p] == "-" {
            guard p + 1 < s.count else { return false }
            return s[p + 1] == "-" || isNameStart(s[p + 1]) || isValidEscape(at: p + 1)
        }
        return isNameStart(s[p]) || isValidEscape(at: p)
    }

    /// Name characters and escapes, unescaped. Where an identifier is required, callers check
    /// `startsIdentifier` first; an id (`#1a`) needs only name characters.
    private mutating func parseName() throws(CSSParseFailure) -> String {
        var out = String.UnicodeScalarView()
        while i < s.count {
            if isNameCharacter(s[i]) {
                out.append(try xmlCharacter(s[i], at: i))
                i += 1
            } else if isValidEscape(at: i) {
                let start = i
                out.append(try xmlCharacter(consumeEscape(), at: start))
            } else {
                break
            }
        }
        return String(out)
    }

    /// A quoted string; `i` is at the opening quote.
    private mutating func parseString() throws(CSSParseFailure) -> String {
        let start = i
        let quote = s[i]
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard i < s.count else { throw fail("unclosed string at offset \(start)") }
            let c = s[i]
            if c == quote {
                i += 1
                return String(out)
            }
            if c == "\n" || c == "\r" || c == "\u{0C}" {
                throw fail("unescaped newline in the string at offset \(start)")
            }
            if c != "\\" {
                out.append(try xmlCharacter(c, at: i))
                i += 1
                continue
            }
            guard i + 1 < s.count else { throw fail("unclosed string at offset \(start)") }
            switch s[i + 1] {
            case "\r" where i + 2 < s.count && s[i + 2] == "\n":
                i += 3  // an escaped newline continues the string
            case "\n", "\r", "\u{0C}":
                i += 2
            default:
                let escape = i
                out.append(try xmlCharacter(consumeEscape(), at: escape))
            }
        }
    }

    /// `c`, if an XPath literal can hold it. XPath 1.0 has no escapes, and libxml2 refuses an
    /// expression with a character XML does not allow (U+0001–U+0008, U+000B, U+000C,
    /// U+000E–U+001F, U+FFFE, U+FFFF), so a name or value with one can't be compiled.
    private func xmlCharacter(_ c: Unicode.Scalar, at offset: Int) throws(CSSParseFailure) -> Unicode.Scalar {
        switch c.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF:
            return c
        default:
            let code = String(c.value, radix: 16, uppercase: true)
            throw fail("U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code) at offset \(offset) "
                + "is not allowed in XML, so XPath can't match it")
        }
    }

    /// `i` is at a valid escape's backslash. Up to six hex digits and one optional white space,
    /// or any other character taken literally; invalid code points become U+FFFD, per CSS.
    private mutating func consumeEscape() -> Unicode.Scalar {
        i += 1
        guard Self.hexValue(s[i]) != nil else {
            defer { i += 1 }
            return s[i]
        }
        var value: UInt32 = 0
        var count = 0
        while i < s.count, count < 6, let d = Self.hexValue(s[i]) {
            value = value * 16 + d
            count += 1
            i += 1
        }
        if i < s.count, CSSSyntax.isWhitespace(s[i]) {
            i += (s[i] == "\r" && i + 1 < s.count && s[i + 1] == "\n") ? 2 : 1
        }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return scalar
    }

    private static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 48
        case "a"..."f": return c.value - 87
        case "A"..."F": return c.value - 55
        default: return nil
        }
    }

    private func isValidEscape(at p: Int) -> Bool {
        guard p + 1 < s.count, s[p] == "\\" else { return false }
        let next = s[p + 1]
        return next != "\n" && next != "\r" && next != "\u{0C}"
    }

    private func isNameStart(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || c.value >= 0x80
    }

    private func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        isNameStart(c) || ("0"..."9").contains(c) || c == "-"
    }

    // MARK: - Helpers

    private var atEnd: Bool { i >= s.count }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        i + ahead < s.count ? s[i + ahead] : nil
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = i
        while i < s.count, CSSSyntax.isWhitespace(s[i]) { i += 1 }
        return i > start
    }

    private func expectNotAtEnd(_ closer: Character) throws(CSSParseFailure) {
        if atEnd { throw fail("expected '\(closer)' at offset \(i)") }
    }

    private func fail(_ message: String) -> CSSParseFailure {
        CSSParseFailure(message: message)
    }

    /// What to say when no compound selector starts at `i`.
    private func unexpected(leading: Bool) -> CSSParseFailure {
        guard let c = peek() else { return fail("unexpected end at offset \(i)") }
        if leading, Self.combinators[c] != nil {
            return fail("expected a selector before '\(c)' at offset \(i)")
        }
        return fail("unexpected '\(CSSSyntax.oneLine(String(c)))' at offset \(i)")
    }

    private func namespace(at offset: Int) -> CSSParseFailure {
        fail("unsupported namespace separator '|' at offset \(offset)")
    }

    private func notAtEnd(_ pseudo: PlacedPseudoElement) -> CSSParseFailure {
        fail("pseudo-element ::\(CSSSyntax.oneLine(pseudo.name)) at offset \(pseudo.offset) is not at the end of the selector")
    }
}

extension CSSSyntax {
    /// CSS white space (no vertical tab).
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}"
    }

    /// libxml2's HTML parser lowercases ASCII letters only, so the selector does the same.
    static func asciiLowercased(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            out.append(("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 32)! : c)
        }
        return String(out)
    }

    /// Text for an error message, kept on one line: control characters are shown escaped.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where c.value < 0x20 || (0x7F..<0xA0).contains(c.value)
                || c == "\u{2028}" || c == "\u{2029}":
                out += "\\u{\(String(c.value, radix: 16))}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
