extension Charset {
    /// The encoding to decode an HTML body with, in the HTML standard's order: a byte order mark,
    /// then the charset parameter of `contentType`, then a `<meta charset>` /
    /// `<meta http-equiv="content-type" content="...charset=...">` found by the standard's
    /// prescan of the first 1024 bytes, then windows-1252.
    ///
    /// Labels are normalised per the WHATWG Encoding Standard ("latin1", "iso-8859-1",
    /// "us-ascii" → "windows-1252"; "utf8" → "UTF-8"; "x-sjis", "shift_jis" → "Shift_JIS";
    /// "gb2312" → "GBK"); an unknown label is ignored and the next source is used. A meta
    /// declaring UTF-16 means UTF-8 (a page that can be prescanned as ASCII is not UTF-16), and
    /// one declaring x-user-defined means windows-1252, as the standard says.
    ///
    /// Left out, as other scrapers do: the standard's optional steps that depend on the user's
    /// locale or on frequency analysis of the whole body.
    static func detect(_ body: UnsafeRawBufferPointer, contentType: String?) -> Detected {
        if let mark = byteOrderMark(body) {
            return Detected(encoding: mark.encoding, source: .byteOrderMark)
        }
        if let contentType, let encoding = charset(inContentType: contentType) {
            return Detected(encoding: encoding, source: .contentType)
        }
        if let encoding = prescan(UnsafeRawBufferPointer(rebasing: body.prefix(1024))) {
            return Detected(encoding: encoding, source: .meta)
        }
        return Detected(encoding: "windows-1252", source: .defaultEncoding)
    }

    /// The encoding a byte order mark at the start of `body` names, and the mark's length.
    static func byteOrderMark(_ body: UnsafeRawBufferPointer) -> (encoding: String, length: Int)? {
        if body.count >= 3, body[0] == 0xEF, body[1] == 0xBB, body[2] == 0xBF { return ("UTF-8", 3) }
        if body.count >= 2, body[0] == 0xFE, body[1] == 0xFF { return ("UTF-16BE", 2) }
        if body.count >= 2, body[0] == 0xFF, body[1] == 0xFE { return ("UTF-16LE", 2) }
        return nil
    }

    /// The encoding named by the `charset` parameter of a Content-Type value, parsed as the
    /// MIME Sniffing standard parses a MIME type: parameters split at `;`, names compared
    /// without case, values optionally quoted (with `\` escapes); the first `charset` wins.
    /// Nil when there is none or its label is unknown.
    static func charset(inContentType contentType: String) -> String? {
        let bytes = Array(contentType.utf8)
        let isHTTPSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        // The type/subtype comes first and can't contain `;`.
        guard var index = bytes.firstIndex(of: UInt8(ascii: ";")) else { return nil }
        while index < bytes.count {
            index += 1 // past `;`
            while index < bytes.count, isHTTPSpace(bytes[index]) { index += 1 }
            let nameStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ";"), bytes[index] != UInt8(ascii: "=") {
                index += 1
            }
            let name = bytes[nameStart..<index]
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1 // past `=`
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                    value.append(bytes[index])
                    index += 1
                }
                // Anything between the closing quote and the next `;` is ignored.
                while index < bytes.count, bytes[index] != UInt8(ascii: ";") { index += 1 }
            } else {
                while index < bytes.count, bytes[index] != UInt8(ascii: ";") {
                    value.append(bytes[index])
                    index += 1
                }
            }
            guard name.count == 7, name.elementsEqual("charset".utf8, by: { $0 | 0x20 == $1 }) else { continue }
            // Only the first charset parameter counts, even when its label is unknown.
            return encoding(forLabel: value)
        }
        return nil
    }
}

extension Charset {
    /// The encoding declared by a `<meta>` in `bytes`, found by the HTML standard's "prescan a
    /// byte stream to determine its encoding" (13.2.3.2): it skips comments, other tags and
    /// their attributes (so `<a title="<meta charset=x>">` and `<!-- <meta …> -->` don't count),
    /// reads attributes as the tokenizer would, and stops at the first meta that declares a
    /// usable encoding. When no meta does, a leading `<?xml … encoding="…"?>` may.
    ///
    /// `bytes` is what may be prescanned (the first 1024 bytes); a meta cut off at its end
    /// declares nothing, as the standard's scan ends when it runs out of bytes.
    static func prescan(_ bytes: UnsafeRawBufferPointer) -> String? {
        // `<?x` in UTF-16 without a byte order mark: the standard names the encoding outright.
        if bytes.starts(with: [0x3C, 0, 0x3F, 0, 0x78, 0]) { return "UTF-16LE" }
        if bytes.starts(with: [0, 0x3C, 0, 0x3F, 0, 0x78]) { return "UTF-16BE" }
        var scanner = MetaPrescan(bytes: bytes)
        return scanner.run() ?? xmlDeclarationEncoding(bytes)
    }

    /// The standard's "get an XML encoding": the label in `encoding="…"` of an XML declaration
    /// at the very start of `bytes`.
    static func xmlDeclarationEncoding(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.starts(with: "<?xml".utf8), let end = bytes.firstIndex(of: UInt8(ascii: ">")) else { return nil }
        let declaration = bytes[..<end]
        let word = "encoding".utf8
        guard let found = (0..<max(0, end - word.count + 1)).first(where: {
            declaration[$0..<$0 + word.count].elementsEqual(word)
        }) else { return nil }
        var index = found + word.count
        while index < end, declaration[index] <= 0x20 { index += 1 }
        guard index < end, declaration[index] == UInt8(ascii: "=") else { return nil }
        index += 1
        while index < end, declaration[index] <= 0x20 { index += 1 }
        guard index < end, declaration[index] == UInt8(ascii: "\"") || declaration[index] == UInt8(ascii: "'") else {
            return nil
        }
        let quote = declaration[index]
        guard let close = declaration[(index + 1)...].firstIndex(of: quote),
              let encoding = encoding(forLabel: declaration[(index + 1)..<close]) else { return nil }
        return encoding == "UTF-16LE" || encoding == "UTF-16BE" ? "UTF-8" : encoding
    }
}

/// The state of one prescan: the bytes and a position in them.
private struct MetaPrescan {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// An attribute as the prescan reads it: name and value with ASCII upper case lowered.
    struct Attribute {
        var name: [UInt8] = []
        var value: [UInt8] = []
    }

    /// The encoding the first usable meta declares, or nil when the bytes run out first (the
    /// scan has no other way to end).
    mutating func run() -> String? {
        while position < bytes.count {
            guard bytes[position] == UInt8(ascii: "<") else {
                position += 1
                continue
            }
            if matches("<!--") {
                // The `--` of `<!--` may also close it: `<!-->` is an empty comment.
                position += 2
                guard let end = find("-->", from: position) else { return nil }
                position = end + 3
            } else if matchesIgnoringCase("<meta"), position + 5 < bytes.count, isSpaceOrSlash(bytes[position + 5]) {
                position += 6
                if let encoding = meta() { return encoding }
            } else if position + 1 < bytes.count, isASCIILetter(bytes[position + 1])
                || (bytes[position + 1] == UInt8(ascii: "/") && position + 2 < bytes.count
                    && isASCIILetter(bytes[position + 2])) {
                // Any other tag: skip its name and attributes so that their values can't be
                // mistaken for markup.
                while position < bytes.count, !isSpace(bytes[position]), bytes[position] != UInt8(ascii: ">") {
                    position += 1
                }
                while attribute() != nil {}
                position += 1
            } else if matches("<!") || matches("</") || matches("<?") {
                guard let end = find(">", from: position + 2) else { return nil }
                position = end + 1
            } else {
                position += 1
            }
        }
        return nil
    }

    /// Reads a meta's attributes (position is just past `<meta` and its space or slash); the
    /// encoding it declares, or nil when it declares none usable.
    private mutating func meta() -> String? {
        var seen: [[UInt8]] = []
        var gotPragma = false
        var needPragma: Bool?
        var charset: String??  // nil: no declaration; .some(nil): an unknown label
        while let attribute = attribute() {
            guard !seen.contains(attribute.name) else { continue }
            seen.append(attribute.name)
            switch attribute.name {
            case Array("http-equiv".utf8):
                if attribute.value == Array("content-type".utf8) { gotPragma = true }
            case Array("content".utf8):
                if charset == nil, let label = Self.charsetLabel(inContent: attribute.value),
                   let encoding = Charset.encoding(forLabel: label) {
                    charset = .some(encoding)
                    needPragma = true
                }
            case Array("charset".utf8):
                charset = .some(Charset.encoding(forLabel: attribute.value))
                needPragma = false
            default:
                break
            }
        }
        // Out of bytes before the meta's `>`: it declares nothing.
        guard position < bytes.count else { return nil }
        guard let needPragma, !needPragma || gotPragma, let found = charset, let encoding = found else { return nil }
        // The bytes so far were readable as ASCII, so they can't be UTF-16.
        if encoding == "UTF-16LE" || encoding == "UTF-16BE" { return "UTF-8" }
        if encoding == "x-user-defined" { return "windows-1252" }
        return encoding
    }

    /// The standard's "get an attribute": the next attribute of the current tag, or nil at its
    /// `>` (position left there) or at the end of the bytes.
    mutating func attribute() -> Attribute? {
        while position < bytes.count, isSpaceOrSlash(bytes[position]) { position += 1 }
        guard position < bytes.count, bytes[position] != UInt8(ascii: ">") else { return nil }
        var attribute = Attribute()
        // The name, up to `=`, white space, `/` or `>` (a leading `=` is part of it).
        while true {
            guard position < bytes.count else { return nil }
            let byte = bytes[position]
            if byte == UInt8(ascii: "="), !attribute.name.isEmpty {
                break
            } else if isSpace(byte) {
                while position < bytes.count, isSpace(bytes[position]) { position += 1 }
                guard position < bytes.count else { return nil }
                guard bytes[position] == UInt8(ascii: "=") else { return attribute }
                break
            } else if byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">") {
                return attribute
            }
            attribute.name.append(lowered(byte))
            position += 1
        }
        position += 1 // past `=`
        while position < bytes.count, isSpace(bytes[position]) { position += 1 }
        guard position < bytes.count else { return nil }
        let first = bytes[position]
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            position += 1
            while true {
                guard position < bytes.count else { return nil }
                let byte = bytes[position]
                position += 1
                if byte == first { return attribute }
                attribute.value.append(lowered(byte))
            }
        }
        if first == UInt8(ascii: ">") { return attribute }
        while true {
            guard position < bytes.count else { return nil }
            let byte = bytes[position]
            if isSpace(byte) || byte == UInt8(ascii: ">") { return attribute }
            attribute.value.append(lowered(byte))
            position += 1
        }
    }

    /// The standard's "extract a character encoding from a meta element": the label after the
    /// first `charset=` of a `content` value (already lower-cased), quoted or up to white space
    /// or `;`.
    static func charsetLabel(inContent content: [UInt8]) -> ArraySlice<UInt8>? {
        let word = Array("charset".utf8)
        var index = 0
        while true {
            // The next "charset" at or after index.
            guard let found = (index..<max(index, content.count - word.count + 1)).first(where: {
                content[$0..<$0 + word.count].elementsEqual(word)
            }) else { return nil }
            index = found + word.count
            while index < content.count, Charset.isASCIIWhiteSpace(content[index]) { index += 1 }
            guard index < content.count, content[index] == UInt8(ascii: "=") else { continue }
            index += 1
            while index < content.count, Charset.isASCIIWhiteSpace(content[index]) { index += 1 }
            guard index < content.count else { return nil }
            let first = content[index]
            if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
                guard let close = content[(index + 1)...].firstIndex(of: first) else { return nil }
                return content[(index + 1)..<close]
            }
            var end = index
            while end < content.count, !Charset.isASCIIWhiteSpace(content[end]), content[end] != UInt8(ascii: ";") {
                end += 1
            }
            return content[index..<end]
        }
    }

    // MARK: Bytes

    private func matches(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[position + offset] != text.utf8Start[offset] { return false }
        return true
    }

    private func matchesIgnoringCase(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for offset in 0..<count where lowered(bytes[position + offset]) != text.utf8Start[offset] { return false }
        return true
    }

    /// The index of the first `text` at or after `start`.
    private func find(_ text: StaticString, from start: Int) -> Int? {
        let count = text.utf8CodeUnitCount
        var index = start
        while index + count <= bytes.count {
            var offset = 0
            while offset < count, bytes[index + offset] == text.utf8Start[offset] { offset += 1 }
            if offset == count { return index }
            index += 1
        }
        return nil
    }

    private func isSpace(_ byte: UInt8) -> Bool { Charset.isASCIIWhiteSpace(byte) }

    private func isSpaceOrSlash(_ byte: UInt8) -> Bool { isSpace(byte) || byte == UInt8(ascii: "/") }

    private func isASCIILetter(_ byte: UInt8) -> Bool { lowered(byte) >= 0x61 && lowered(byte) <= 0x7A }

    private func lowered(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
}
