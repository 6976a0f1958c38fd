import CLibXML2

/// A page parsed by libxml2's HTML parser (the engine under lxml), for evaluating user
/// selectors. Not Sendable: a document lives on the worker thread that parsed it.
final class HTMLDocument {
    private let document: htmlDocPtr
    private let context: xmlXPathContextPtr

    /// Parses UTF-8 `html`. libxml2 recovers from any markup; nil only when out of memory.
    init?(utf8 html: UnsafeBufferPointer<UInt8>, url: String?) {
        LibXML.initialize()
        // XML_PARSE_HUGE lifts libxml2's fixed limits, above all its depth of 256 elements:
        // past it the parser halts ("Excessive depth in document") and drops the rest of
        // the page. Its tree code walks without recursion; the body is bounded by --max-size.
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue
            | XML_PARSE_HUGE.rawValue)
        let parsed: htmlDocPtr? = html.withMemoryRebound(to: CChar.self) { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                return htmlReadMemory(" ", 1, url, "UTF-8", options)
            }
            return htmlReadMemory(base, Int32(clamping: bytes.count), url, "UTF-8", options)
        }
        guard let parsed else { return nil }
        guard let context = xmlXPathNewContext(parsed) else {
            xmlFreeDoc(parsed)
            return nil
        }
        // Relative expressions (all compiled CSS: `descendant-or-self::…`) start at the document.
        context.pointee.node = UnsafeMutableRawPointer(parsed).assumingMemoryBound(to: xmlNode.self)
        // Errors while evaluating go to this no-op instead of standard error.
        context.pointee.error = { (_: UnsafeMutableRawPointer?, _: xmlErrorPtr?) in }
        document = parsed
        self.context = context
    }

    /// Whether `xpath` evaluates without error here.
    func evaluates(_ xpath: CompiledXPath) -> Bool {
        guard let result = xmlXPathCompiledEval(xpath.raw, context) else { return false }
        xmlXPathFreeObject(result)
        return true
    }

    deinit {
        xmlXPathFreeContext(context)
        xmlFreeDoc(document)
    }

    /// The strings `xpath` selects: for an element its text content with white space
    /// collapsed; for a text or attribute node its value as is; for a string, number or
    /// boolean result that value.
    func strings(_ xpath: CompiledXPath) -> [String] {
        // Every rule starts at the document, whatever an earlier evaluation left behind.
        context.pointee.node = UnsafeMutableRawPointer(document).assumingMemoryBound(to: xmlNode.self)
        guard let result = xmlXPathCompiledEval(xpath.raw, context) else { return [] }
        defer { xmlXPathFreeObject(result) }
        switch result.pointee.type {
        case XPATH_NODESET:
            guard let nodes = result.pointee.nodesetval, nodes.pointee.nodeNr > 0 else { return [] }
            return (0..<Int(nodes.pointee.nodeNr)).compactMap { index in
                guard let node = nodes.pointee.nodeTab[index] else { return nil }
                let content = Self.content(of: node)
                return node.pointee.type == XML_ELEMENT_NODE ? content.collapsingWhiteSpace() : content
            }
        case XPATH_STRING:
            return [result.pointee.stringval.map { String(cString: $0) } ?? ""]
        case XPATH_BOOLEAN:
            return [result.pointee.boolval != 0 ? "true" : "false"]
        case XPATH_NUMBER:
            let number = result.pointee.floatval
            return [number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)]
        default:
            return []
        }
    }

    /// A node's text content, read through a libxml2 buffer (which avoids `xmlFree`, a
    /// global function pointer Swift can't call safely).
    private static func content(of node: xmlNodePtr) -> String {
        guard let buffer = xmlBufferCreate() else { return "" }
        defer { xmlBufferFree(buffer) }
        _ = xmlNodeBufGetContent(buffer, node)
        guard let bytes = xmlBufferContent(buffer) else { return "" }
        return String(cString: bytes)
    }
}

extension String {
    /// Runs of white space replaced by one space, none at either end.
    func collapsingWhiteSpace() -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        var pendingSpace = false
        for scalar in unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.unicodeScalars.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
