import CLibXML2

/// libxml2's process-wide set-up: `xmlInitParser` must run once, on one thread, before any
/// thread parses.
enum LibXML {
    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    static func initialize() {
        _ = initialized
    }
}

/// An XPath expression compiled by libxml2. Not Sendable: libxml2 may touch a compiled
/// expression while evaluating it, so each parse worker compiles its own copy.
final class CompiledXPath {
    let raw: xmlXPathCompExprPtr

    /// Compiles `expression`; throws its error message. Errors are collected, never printed.
    init(_ expression: String) throws(XPathError) {
        LibXML.initialize()
        guard let context = xmlXPathNewContext(nil) else { throw XPathError(message: "out of memory") }
        defer { xmlXPathFreeContext(context) }
        // With an error callback on the context, libxml2 reports through it instead of
        // printing to standard error.
        let collector = ErrorCollector()
        context.pointee.userData = Unmanaged.passUnretained(collector).toOpaque()
        context.pointee.error = { (userData: UnsafeMutableRawPointer?, error: xmlErrorPtr?) in
            guard let userData, let error, let message = error.pointee.message else { return }
            let collector = Unmanaged<ErrorCollector>.fromOpaque(userData).takeUnretainedValue()
            if collector.message == nil {
                collector.message = String(cString: message).trimmingTrailingWhiteSpace()
            }
        }
        guard let compiled = xmlXPathCtxtCompile(context, expression) else {
            throw XPathError(message: collector.message ?? "invalid expression")
        }
        raw = compiled
    }

    deinit {
        xmlXPathFreeCompExpr(raw)
    }

    private final class ErrorCollector {
        var message: String?
    }
}

/// libxml2 refused an XPath expression.
struct XPathError: Error {
    var message: String
}

extension String {
    func trimmingTrailingWhiteSpace() -> String {
        var result = Substring(self)
        while let last = result.last, last.isWhitespace { result = result.dropLast() }
        return String(result)
    }
}
