import CLibXML2

/// Reads sitemap files (sitemaps.org): a `<urlset>` of pages or a `<sitemapindex>` of more
/// sitemaps, gzip-compressed or not, with libxml2's streaming reader. Pure parsing: the crawl
/// fetches the body on its loop and reads it here on its intake thread (`SitemapSeeds`).
///
/// Memory stays bounded whatever the body: a gzip body is inflated a chunk at a time as
/// libxml2 asks for input, the reader keeps only the node it is on, and both of the
/// protocol's limits stop the reading (50,000 entries, 50 MB of XML: a gzip bomb stops there).
///
/// Hostile XML is read as data, never acted on: no network, no DTD loading, no entity
/// substitution. libxml2 2.9.14 then neither reads external entities (general or parameter)
/// nor expands internal ones into the text (so a billion laughs costs nothing); a `<loc>`
/// that uses such an entity counts as invalid rather than being read without it.
///
/// A file that breaks off keeps the entries read before the break. libxml2's reader parses a
/// little ahead of the node it hands out (a 512-byte chunk) and a fatal error ends it at once,
/// so the entries of that last chunk are lost with it, and a file broken within its first
/// chunk reads as not XML.
///
/// Not Sendable: it reuses libcurl URL handles; one per thread.
final class SitemapReader {
    /// How much of a file is read. The defaults are the protocol's.
    struct Limits: Sendable, Equatable {
        /// Entries kept per file; the next one marks the file truncated and ends the reading.
        var maxEntries = 50_000
        /// Bytes of XML (uncompressed) read per file; reaching it ends the reading.
        var maxBytes = 52_428_800

        /// sitemaps.org: "no more than 50,000 URLs and must be no larger than 50MB (52,428,800 bytes)".
        static let sitemapsOrg = Limits()
    }

    /// The protocol asks for URLs under 2,048 characters; longer ones are kept up to this
    /// many bytes, and a `<loc>` longer still is invalid rather than buffered without end.
    static let maxLocBytes = 8 * 1024

    let limits: Limits
    private let check = URLCheck()
    private let resolver = URLResolver()

    init(limits: Limits = .sitemapsOrg) {
        LibXML.initialize()
        self.limits = limits
    }

    /// Reads `body` (the bytes as fetched; gzip is recognised by its magic bytes, whatever
    /// the Content-Encoding said) of the sitemap at `url`, which relative `<loc>`s (not
    /// allowed by the protocol, but seen) are resolved against.
    func read(_ body: [UInt8], url: CheckedURL) -> Sitemap {
        LoopThreads.checkNotOnLoop()
        guard !body.isEmpty else { return Sitemap(error: .empty) }
        resolver.setBase(url.absolute)
        return body.withUnsafeBufferPointer { bytes in
            let source = XMLSource(bytes, maxBytes: limits.maxBytes)
            var sitemap = read(from: source, url: url.absolute)
            sitemap.bytesRead = source.delivered
            return sitemap
        }
    }

    /// No network, no DTD, no entity substitution (see the type's comment): XML_PARSE_NOENT,
    /// XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR, XML_PARSE_DTDVALID and XML_PARSE_HUGE stay off,
    /// the last so that libxml2's own bounds (depth, text node and name sizes, entity
    /// amplification) hold. CDATA sections arrive as text.
    private static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
        | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue)

    private func read(from source: XMLSource, url: String) -> Sitemap {
        let context = Unmanaged.passUnretained(source).toOpaque()
        let reader = xmlReaderForIO({ context, buffer, length in
            guard let context, let buffer, length > 0 else { return 0 }
            let source = Unmanaged<XMLSource>.fromOpaque(context).takeUnretainedValue()
            return source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(length)))
        }, nil, context, url, nil, Self.options)
        guard let reader else {
            return Sitemap(error: source.gzipFailure.map(Self.error(for:)) ?? .outOfMemory)
        }
        defer { xmlFreeTextReader(reader) }
        let log = ErrorLog()
        xmlTextReaderSetStructuredErrorHandler(reader, { userData, error in
            guard let userData, let error, error.pointee.level == XML_ERR_FATAL else { return }
            let log = Unmanaged<ErrorLog>.fromOpaque(userData).takeUnretainedValue()
            guard log.first == nil else { return }
            log.first = (line: Int(error.pointee.line),
                         message: error.pointee.message.map { String(cString: $0) } ?? "")
        }, Unmanaged.passUnretained(log).toOpaque())

        var sitemap = Sitemap()
        var entries = EntryState()
        var failed = false
        reading: while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { break }
            if status < 0 {
                failed = true
                break
            }
            let type = xmlTextReaderNodeType(reader)
            let depth = xmlTextReaderDepth(reader)
            switch type {
            case Self.element:
                let name = xmlTextReaderConstLocalName(reader)
                let isEmpty = xmlTextReaderIsEmptyElement(reader) == 1
                if sitemap.kind == nil {
                    // The root element (depth 0: nothing comes before it but the prolog).
                    if Self.localName(name, is: "urlset") {
                        sitemap.kind = .urlset
                    } else if Self.localName(name, is: "sitemapindex") {
                        sitemap.kind = .index
                    } else {
                        sitemap.error = .notASitemap(root: name.map { Self.localName(String(cString: $0)) } ?? "")
                        return sitemap
                    }
                } else if depth == 1 {
                    guard Self.localName(name, is: sitemap.kind == .urlset ? "url" : "sitemap") else { continue }
                    if isEmpty {
                        sitemap.invalidEntries += 1
                    } else {
                        entries.open()
                    }
                } else if depth == 2 && entries.isOpen && !entries.hasLoc && Self.localName(name, is: "loc") {
                    entries.startLoc()
                    if isEmpty, !add(entries.endLoc(), to: &sitemap) { break reading }
                } else if entries.inLoc {
                    // Markup inside a URL: not one this reader can take at its word.
                    entries.spoilLoc()
                }
            case Self.text, Self.cdata, Self.whiteSpace, Self.significantWhiteSpace:
                guard entries.inLoc, depth == 3, let value = xmlTextReaderConstValue(reader) else { continue }
                entries.appendToLoc(value)
            case Self.entityReference:
                // An entity libxml2 did not substitute (only the predefined ones and character
                // references are decoded): the URL can't be read as written.
                if entries.inLoc { entries.spoilLoc() }
            case Self.endElement:
                if depth == 2 && entries.inLoc {
                    if !add(entries.endLoc(), to: &sitemap) { break reading }
                } else if depth == 1 && entries.isOpen {
                    if !entries.hasLoc { sitemap.invalidEntries += 1 }
                    entries.close()
                }
            default:
                continue
            }
        }
        if let failure = source.gzipFailure {
            // Whether or not libxml2 then found the XML cut short, the cause is the gzip data.
            sitemap.error = Self.error(for: failure)
        } else if failed {
            if source.limitReached {
                // libxml2 saw the input end where the limit cut it: no fault of the file's.
                sitemap.truncated = true
            } else if sitemap.kind == nil {
                // libxml2's own codes don't tell an empty body from text ("Start tag expected"
                // is XML_ERR_DOCUMENT_EMPTY; white space alone may be "Extra content").
                sitemap.error = !source.sawContent ? .empty
                    : .notXML(line: log.first?.line ?? 0, message: log.first?.message ?? "unreadable")
            } else {
                sitemap.error = .malformed(line: log.first?.line ?? 0, message: log.first?.message ?? "unreadable")
            }
        } else if source.limitReached {
            sitemap.truncated = true
        }
        if sitemap.kind == nil && sitemap.error == nil {
            sitemap.error = !source.sawContent ? .empty : .noRoot(withinBytes: source.delivered)
        }
        return sitemap
    }

    /// Checks the `<loc>` text of an entry and keeps it, or counts it invalid. False when the
    /// entry limit is reached: the entry is dropped and the file truncated.
    private func add(_ loc: [UInt8]?, to sitemap: inout Sitemap) -> Bool {
        guard let loc = loc.map(Self.trimmed), !loc.isEmpty,
              let resolved = resolver.resolve(String(decoding: loc, as: UTF8.self)),
              case .success(let checked) = check.check(resolved)
        else {
            sitemap.invalidEntries += 1
            return true
        }
        guard sitemap.entries.count < limits.maxEntries else {
            sitemap.truncated = true
            return false
        }
        sitemap.entries.append(checked)
        return true
    }
}

// MARK: - Entries

extension SitemapReader {
    /// Where the reader is within the entries: inside an entry (`<url>`, `<sitemap>`), inside
    /// its first `<loc>` (later ones are ignored), and the loc's text so far.
    private struct EntryState {
        private(set) var isOpen = false
        private(set) var hasLoc = false
        private(set) var inLoc = false
        /// nil once the loc can't be a URL (too long, markup or an entity inside).
        private var loc: [UInt8]? = []

        mutating func open() {
            (isOpen, hasLoc, inLoc) = (true, false, false)
        }

        mutating func close() {
            (isOpen, inLoc) = (false, false)
        }

        mutating func startLoc() {
            (hasLoc, inLoc) = (true, true)
            loc = []
        }

        mutating func appendToLoc(_ text: UnsafePointer<xmlChar>) {
            guard loc != nil else { return }
            let count = Int(xmlStrlen(text))
            guard loc!.count + count <= SitemapReader.maxLocBytes else {
                loc = nil
                return
            }
            loc!.append(contentsOf: UnsafeBufferPointer(start: text, count: count))
        }

        mutating func spoilLoc() {
            loc = nil
        }

        /// The loc's text, nil if it can't be a URL.
        mutating func endLoc() -> [UInt8]? {
            inLoc = false
            defer { loc = [] }
            return loc
        }
    }

    private static let element = Int32(XML_READER_TYPE_ELEMENT.rawValue)
    private static let endElement = Int32(XML_READER_TYPE_END_ELEMENT.rawValue)
    private static let text = Int32(XML_READER_TYPE_TEXT.rawValue)
    private static let cdata = Int32(XML_READER_TYPE_CDATA.rawValue)
    private static let whiteSpace = Int32(XML_READER_TYPE_WHITESPACE.rawValue)
    private static let significantWhiteSpace = Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue)
    private static let entityReference = Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue)

    /// Whether an element's name is `expected` after any prefix. Namespaces are ignored, as
    /// sitemaps in the wild use the protocol's, older ones, none, or a prefix they never
    /// declared (then libxml2 reports the whole `prefix:name` as the local name).
    private static func localName(_ name: UnsafePointer<xmlChar>?, is expected: StaticString) -> Bool {
        guard let name else { return false }
        let full = UnsafeBufferPointer(start: name, count: Int(xmlStrlen(name)))
        let local = full.lastIndex(of: UInt8(ascii: ":")).map { full[($0 + 1)...] } ?? full[...]
        return local.elementsEqual(UnsafeBufferPointer(start: expected.utf8Start, count: expected.utf8CodeUnitCount))
    }

    private static func localName(_ name: String) -> String {
        name.lastIndex(of: ":").map { String(name[name.index(after: $0)...]) } ?? name
    }

    /// Without XML's white space (space, tab, CR, LF) at either end.
    private static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return bytes[first...last]
    }

    private static func error(for failure: GzipInflater.Failure) -> SitemapError {
        switch failure {
        case .corrupt: .gzipCorrupt
        case .truncated: .gzipTruncated
        case .outOfMemory: .outOfMemory
        }
    }

    /// The first fatal error libxml2 reported (the reader stops there).
    private final class ErrorLog {
        var first: (line: Int, message: String)?
    }
}

// MARK: - Input

/// What libxml2 reads from: the body as it is, or inflated as libxml2 asks for more, up to
/// the byte limit. Lives on the worker thread reading the sitemap; libxml2 calls back into it
/// there, from within `xmlTextReaderRead`.
private final class XMLSource {
    private let plain: UnsafeBufferPointer<UInt8>
    private let inflater: GzipInflater?
    private var position = 0
    private let maxBytes: Int
    /// Bytes handed to libxml2.
    private(set) var delivered = 0
    /// There was more than `maxBytes`: libxml2 was told the input ended there.
    private(set) var limitReached = false
    /// Something other than XML white space was delivered: the body is not empty.
    private(set) var sawContent = false

    init(_ body: UnsafeBufferPointer<UInt8>, maxBytes: Int) {
        plain = body
        inflater = GzipInflater.isGzip(body) ? GzipInflater(input: body) : nil
        self.maxBytes = max(0, maxBytes)
    }

    var gzipFailure: GzipInflater.Failure? { inflater?.failure }

    /// libxml2's read callback: bytes written, 0 at the end. Bad gzip data ends the input
    /// too, rather than failing the read: libxml2 then finishes what it holds (a bad checksum
    /// after a whole document loses nothing), and the reader reports the gzip failure.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int32 {
        if gzipFailure != nil { return 0 }
        let room = maxBytes - delivered
        guard room > 0 else {
            if !limitReached { limitReached = hasMore() }
            return 0
        }
        let wanted = UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, room)])
        let count: Int
        if let inflater {
            count = inflater.inflate(into: wanted)
        } else {
            count = min(wanted.count, plain.count - position)
            if count > 0 {
                wanted.copyMemory(from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: plain[position..<(position + count)])))
            }
            position += count
        }
        if !sawContent {
            sawContent = UnsafeMutableRawBufferPointer(rebasing: wanted[..<count]).contains {
                $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D
            }
        }
        delivered += count
        return Int32(count)
    }

    /// Whether anything is left past the limit (inflating one more byte to know).
    private func hasMore() -> Bool {
        guard let inflater else { return position < plain.count }
        var byte: UInt8 = 0
        return withUnsafeMutableBytes(of: &byte) { inflater.inflate(into: $0) } > 0
    }
}
