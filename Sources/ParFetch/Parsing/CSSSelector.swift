/// A CSS selector compiled to XPath 1.0, for evaluation on an HTML document (libxml2).
///
/// The translation is cssselect's `HTMLTranslator` with parsel's pseudo-elements, so an
/// expression selects what the same selector selects in parsel or Scrapy. Type and attribute
/// names are lowercased, as libxml2's HTML parser lowercases them in the document; attribute
/// values and ids stay case-sensitive.
///
/// Supported: type selectors, `*`, `#id`, `.class`, `[attr]` and `[attr=v]` with `=`, `~=`,
/// `|=`, `^=`, `$=`, `*=`; the combinators white space, `>`, `+`, `~`; lists with `,`;
/// `:first-child`, `:last-child`, `:nth-child(an+b)`, `:not(simple selector)`; and, at the end
/// of a selector, `::text` (text nodes) and `::attr(name)` (attribute nodes).
public struct CSSSelector: Sendable, Hashable {
    /// The selector as written.
    public let source: String
    /// An XPath 1.0 expression selecting the matching nodes: elements, or with ::text text nodes,
    /// or with ::attr(name) attribute nodes.
    public let xpath: String

    /// Throws CSSSelectorError for anything it does not support or cannot parse.
    public init(_ source: String) throws {
        var parser = CSSSelectorParser(source)
        do {
            let list = try parser.parseList()
            self.source = source
            self.xpath = list.map(CSSXPathTranslator.translate).joined(separator: " | ")
        } catch {
            throw CSSSelectorError(selector: source, message: error.message)
        }
    }
}

/// A CSS selector that does not parse, or uses something this compiler does not support.
public struct CSSSelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The selector as written.
    public let selector: String
    /// What is wrong and where, e.g. "unexpected ')' at offset 7" or
    /// "unsupported pseudo-class :hover at offset 1". Offsets count Unicode scalars from 0.
    public let message: String

    /// One line, e.g. "invalid CSS selector 'a[': expected ']' at offset 2".
    public var description: String {
        "invalid CSS selector '\(CSSSyntax.oneLine(selector))': \(message)"
    }

    init(selector: String, message: String) {
        self.selector = selector
        self.message = message
    }
}

/// cssselect's translation, step for step, so that the strings are the ones parsel produces.
enum CSSXPathTranslator {
    static func translate(_ selector: CSSSyntax.Complex) -> String {
        var expr = expression(for: selector.first)
        for step in selector.rest {
            let right = expression(for: step.compound)
            switch step.combinator {
            case .descendant:
                expr.join("/descendant-or-self::*/", right)
            case .child:
                expr.join("/", right)
            case .nextSibling:
                // The name moves into the predicate so that position() counts all siblings.
                expr.join("/following-sibling::", right)
                expr.addNameTest()
                expr.addCondition("position() = 1")
            case .subsequentSibling:
                expr.join("/following-sibling::", right)
            }
        }
        return "descendant-or-self::" + withPseudoElement(expr.rendered, selector.pseudoElement)
    }

    /// parsel's rewriting: a trailing `descendant-or-self::*/*` (from `a ::text`) becomes
    /// `descendant-or-self::text()` or `descendant-or-self::*/@x`, so the text or attributes of
    /// the left element itself are included, as in parsel.
    private static func withPseudoElement(
        _ path: String, _ pseudo: CSSSyntax.PseudoElement?
    ) -> String {
        switch pseudo {
        case nil:
            return path
        case .text:
            if path == "*" { return "text()" }
            if path.hasSuffix("::*/*") { return path.dropLast(3) + "text()" }
            return path + "/text()"
        case .attribute(let name):
            let base = path.hasSuffix("::*/*") ? String(path.dropLast(2)) : path
            // parsel writes `/@name` whatever the name; a name that is not an XPath name
            // would make the expression invalid, so it gets cssselect's [attr] form instead.
            return base + "/" + attributeAxis(name)
        }
    }

    private static func expression(for compound: CSSSyntax.Compound) -> Expression {
        var expr = Expression()
        if let name = compound.typeName {
            expr.element = name
            if !isSafeName(name) { expr.addNameTest() }
        }
        for simple in compound.simples {
            add(simple, to: &expr)
        }
        return expr
    }

    private static func add(_ simple: CSSSyntax.Simple, to expr: inout Expression) {
        switch simple {
        case .id(let id):
            expr.addCondition("@id = \(literal(id))")
        case .className(let name):
            // .foo is [class~=foo] in the spec.
            expr.addCondition(includes("@class", name))
        case .attribute(let name, nil):
            expr.addCondition(attributeAxis(name))
        case .attribute(let name, let match?):
            expr.addCondition(condition(attributeAxis(name), match))
        case .firstChild:
            expr.addCondition("count(preceding-sibling::*) = 0")
        case .lastChild:
            expr.addCondition("count(following-sibling::*) = 0")
        case .nthChild(let a, let b):
            if let condition = nthChild(a: a, b: b) { expr.addCondition(condition) }
        case .negation(let argument):
            var sub = expression(for: argument)
            sub.addNameTest()
            // No condition means the argument matches every element (`*`, `:nth-child(n)`).
            expr.addCondition(sub.condition.isEmpty ? "0" : "not(\(sub.condition))")
        }
    }

    private static func attributeAxis(_ name: String) -> String {
        isSafeName(name) ? "@" + name : "attribute::*[name() = \(literal(name))]"
    }

    /// Empty values match nothing for ~=, ^=, $= and *=, as the spec says; hence "0".
    private static func condition(_ attr: String, _ match: CSSSyntax.AttributeMatch) -> String {
        let value = match.value
        switch match.op {
        case .equals:
            return "\(attr) = \(literal(value))"
        case .includes:
            return includes(attr, value)
        case .dashMatch:
            return "\(attr) and (\(attr) = \(literal(value)) or starts-with(\(attr), \(literal(value + "-"))))"
        case .prefix:
            guard !value.isEmpty else { return "0" }
            return "\(attr) and starts-with(\(attr), \(literal(value)))"
        case .suffix:
            guard !value.isEmpty else { return "0" }
            // XPath 1.0 has no ends-with; string-length counts characters, as scalars here.
            let back = value.unicodeScalars.count - 1
            return "\(attr) and substring(\(attr), string-length(\(attr))-\(back)) = \(literal(value))"
        case .substring:
            guard !value.isEmpty else { return "0" }
            return "\(attr) and contains(\(attr), \(literal(value)))"
        }
    }

    private static func includes(_ attr: String, _ value: String) -> String {
        guard !value.isEmpty, !value.unicodeScalars.contains(where: CSSSyntax.isWhitespace) else {
            return "0"
        }
        return "\(attr) and contains(concat(' ', normalize-space(\(attr)), ' '), \(literal(" \(value) ")))"
    }

    /// cssselect's xpath_nth_child_function: the element has an+b-1 element siblings before it
    /// for some n ≥ 0. Returns nil when every element matches.
    static func nthChild(a: Int, b: Int) -> String? {
        let bMinus1 = b - 1
        if a == 1 && bMinus1 <= 0 { return nil }
        if a < 0 && bMinus1 < 0 { return "0" }
        let count = "count(preceding-sibling::*)"
        if a == 0 { return "\(count) = \(bMinus1)" }
        var parts: [String] = []
        if a > 0 {
            if bMinus1 > 0 { parts.append("\(count) >= \(bMinus1)") }
        } else {
            parts.append("\(count) <= \(bMinus1)")
        }
        if abs(a) != 1 {
            // count - (b-1) ≡ 0 (mod a), with -(b-1) reduced to [0, |a|) as Python's % does.
            let m = abs(a)
            let shift = ((-bMinus1) % m + m) % m
            let left = shift == 0 ? count : "(\(count) +\(shift))"
            parts.append("\(left) mod \(a) = 0")
        }
        return parts.count > 1 ? parts.map { "(\($0))" }.joined(separator: " and ") : parts[0]
    }

    /// An XPath 1.0 string literal. XPath has no escapes, so a value with both quote kinds
    /// is cut into runs and glued back with concat().
    static func literal(_ value: String) -> String {
        let scalars = value.unicodeScalars
        if !scalars.contains("'") { return "'\(value)'" }
        if !scalars.contains("\"") { return "\"\(value)\"" }
        var parts: [String] = []
        var run = String.UnicodeScalarView()
        var runIsQuotes = false
        for c in scalars {
            if !run.isEmpty && (c == "'") != runIsQuotes {
                parts.append(quotedRun(run, runIsQuotes))
                run = String.UnicodeScalarView()
            }
            runIsQuotes = c == "'"
            run.append(c)
        }
        parts.append(quotedRun(run, runIsQuotes))
        return "concat(\(parts.joined(separator: ",")))"
    }

    private static func quotedRun(_ run: String.UnicodeScalarView, _ isQuotes: Bool) -> String {
        isQuotes ? "\"\(String(run))\"" : "'\(String(run))'"
    }

    /// cssselect's is_safe_name: names that XPath takes as they are; others go through name().
    static func isSafeName(_ name: String) -> Bool {
        var scalars = name.unicodeScalars.makeIterator()
        guard let first = scalars.next(), isASCIILetter(first) || first == "_" else { return false }
        while let c = scalars.next() {
            guard isASCIILetter(c) || ("0"..."9").contains(c) || c == "_" || c == "." || c == "-"
            else { return false }
        }
        return true
    }

    private static func isASCIILetter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }

    /// cssselect's XPathExpr: `path`, then `element`, then `[condition]`; combinators append to
    /// the path and conditions nest as `(old) and (new)`.
    struct Expression {
        var path = ""
        var element = "*"
        var condition = ""

        var rendered: String {
            path + element + (condition.isEmpty ? "" : "[\(condition)]")
        }

        mutating func addCondition(_ new: String) {
            condition = condition.isEmpty ? new : "(\(condition)) and (\(new))"
        }

        /// Moves the element name into the condition, so the step can be `*`.
        mutating func addNameTest() {
            guard element != "*" else { return }
            addCondition("name() = \(CSSXPathTranslator.literal(element))")
            element = "*"
        }

        mutating func join(_ combiner: String, _ right: Expression) {
            path = rendered + combiner + right.path
            element = right.element
            condition = right.condition
        }
    }
}
