/// One `--select NAME=CSS` or `--xpath NAME=EXPR`: what to pull out of each page, under
/// which name. Checked when created, so a bad selector fails before anything is fetched.
public struct ExtractionRule: Sendable, Hashable {
    public enum Language: Sendable, Hashable {
        case css
        case xpath
    }

    /// The key in the record's `extract` object.
    public let name: String
    public let language: Language
    /// The selector or expression as written.
    public let expression: String
    /// What libxml2 evaluates: the expression itself, or the CSS selector compiled to XPath.
    let xpath: String

    public init(name: String, css: String) throws(ExtractionRuleError) {
        try Self.requireExpression(css, name: name)
        let selector: CSSSelector
        do {
            selector = try CSSSelector(css)
        } catch {
            throw ExtractionRuleError("invalid CSS selector for '\(name)': \(css): \(Self.reason(error))")
        }
        try self.init(name: name, language: .css, expression: css, xpath: selector.xpath)
    }

    public init(name: String, xpath: String) throws(ExtractionRuleError) {
        try Self.requireExpression(xpath, name: name)
        try self.init(name: name, language: .xpath, expression: xpath, xpath: xpath)
    }

    /// Parses `NAME=EXPRESSION`, as the command line gives it.
    public init(assignment: String, language: Language) throws(ExtractionRuleError) {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw ExtractionRuleError("'\(assignment)' is not NAME=\(language == .css ? "CSS" : "XPATH")")
        }
        let name = String(assignment[..<equals])
        let expression = String(assignment[assignment.index(after: equals)...])
        switch language {
        case .css: try self.init(name: name, css: expression)
        case .xpath: try self.init(name: name, xpath: expression)
        }
    }

    private init(name: String, language: Language, expression: String, xpath: String) throws(ExtractionRuleError) {
        let what = language == .css ? "CSS selector" : "XPath"
        let compiled: CompiledXPath
        do {
            compiled = try CompiledXPath(xpath)
        } catch {
            throw ExtractionRuleError("invalid \(what) for '\(name)': \(expression): \(error.message)")
        }
        // libxml2 looks functions up only when evaluating: try once, on an empty page.
        guard Self.probe.evaluates(compiled) else {
            throw ExtractionRuleError("invalid \(what) for '\(name)': \(expression): it does not evaluate (unknown function?)")
        }
        self.name = name
        self.language = language
        self.expression = expression
        self.xpath = xpath
    }

    /// An empty page to try expressions on (used only while creating rules, on one thread).
    private static var probe: HTMLDocument {
        [UInt8]("<html><body></body></html>".utf8).withUnsafeBufferPointer { HTMLDocument(utf8: $0, url: nil)! }
    }

    private static func requireExpression(_ expression: String, name: String) throws(ExtractionRuleError) {
        guard !expression.isEmpty else { throw ExtractionRuleError("empty expression for '\(name)'") }
    }

    private static func reason(_ error: any Error) -> String {
        (error as? CSSSelectorError)?.message ?? "\(error)"
    }
}

/// A rule that can't be used; `description` is one line naming the rule.
public struct ExtractionRuleError: Error, Sendable, CustomStringConvertible {
    public let description: String

    /// Line breaks and other control characters in `description` (it quotes the rule's name and
    /// expression as given) are shown escaped, so that it stays one line.
    init(_ description: String) {
        self.description = CSSSyntax.oneLine(description)
    }
}

/// The rules compiled for one thread: libxml2 may touch a compiled expression while evaluating
/// it, so each parse worker has its own. Not Sendable.
final class Extractor {
    private let rules: [(name: String, xpath: CompiledXPath)]

    init(_ rules: [ExtractionRule]) {
        // Each rule was compiled once already when it was created, so this can't fail.
        self.rules = rules.map { ($0.name, try! CompiledXPath($0.xpath)) }
    }

    var isEmpty: Bool { rules.isEmpty }

    /// Each rule's strings on `document`, in rule order.
    func extract(from document: HTMLDocument) -> [(String, [String])] {
        rules.map { ($0.name, document.strings($0.xpath)) }
    }
}
