/// Character references and the tokenizer's input fix-ups (NUL, CR), decoded into memory the
/// caller sized with `decodedCapacity`.
extension HTMLText {
    /// Room for `range` decoded: references never grow, a NUL grows to three bytes (U+FFFD).
    func decodedCapacity(_ range: Range<Int>) -> Int {
        var nuls = 0
        for index in range where bytes[index] == 0 { nuls += 1 }
        return range.count + 2 * nuls
    }

    /// Decodes `range` into `output` (at least `decodedCapacity(range)` bytes); returns the
    /// number of bytes written.
    func decode(_ range: Range<Int>, in context: Context, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let base = output.baseAddress, !range.isEmpty else { return 0 }
        var writer = Writer(base)
        var index = range.lowerBound
        let limit = range.upperBound
        while index < limit {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "&"):
                index = reference(at: index, limit: limit, in: context, into: &writer)
            case 0:
                writer.append(0xFFFD)
                index += 1
            case 0x0D:
                writer.append(0x0A)
                index += 1
                if index < limit && bytes[index] == 0x0A { index += 1 }
            default:
                writer.output[writer.count] = byte
                writer.count += 1
                index += 1
            }
        }
        return writer.count
    }

    /// Decodes the character reference at `ampersand` (or keeps the `&` as text when there is
    /// none) and returns where the text goes on.
    private func reference(at ampersand: Int, limit: Int, in context: Context, into writer: inout Writer) -> Int {
        let start = ampersand + 1
        if start < limit && bytes[start] == UInt8(ascii: "#") {
            if let next = numericReference(at: start + 1, limit: limit, into: &writer) { return next }
            writer.append(0x26)
            return start
        }
        // Every name is at most 8 characters: a longer run can only begin with a legacy name.
        var index = start
        while index < limit && index - start < 9 && bytes[index].isHTMLAlphanumeric { index += 1 }
        let length = index - start
        if index < limit && bytes[index] == UInt8(ascii: ";"),
           let value = HTMLEntities.withSemicolon(bytes + start, count: length) {
            writer.append(value)
            return index + 1
        }
        // The longest legacy name that starts the run, as HTML matches the longest name.
        var prefix = min(length, HTMLEntities.longestLegacyName)
        while prefix >= 2 {
            if let value = HTMLEntities.withoutSemicolon(bytes + start, count: prefix) {
                let next = start + prefix
                if context == .attribute && next < limit
                    && (bytes[next] == UInt8(ascii: "=") || bytes[next].isHTMLAlphanumeric) {
                    break
                }
                writer.append(value)
                return next
            }
            prefix -= 1
        }
        writer.append(0x26)
        return start
    }

    /// Decodes `&#…` whose digits (or `x`) start at `start`; nil when no digit follows, and
    /// the characters stay text. The semicolon is optional.
    private func numericReference(at start: Int, limit: Int, into writer: inout Writer) -> Int? {
        var index = start
        var radix: UInt32 = 10
        if index < limit && bytes[index] | 0x20 == UInt8(ascii: "x") {
            radix = 16
            index += 1
        }
        let digitsStart = index
        var value: UInt32 = 0
        while index < limit, let digit = Self.digit(bytes[index], radix: radix) {
            // Past U+10FFFF the value no longer matters; stop before it can overflow.
            if value <= 0x10FFFF { value = value * radix + digit }
            index += 1
        }
        guard index > digitsStart else { return nil }
        if index < limit && bytes[index] == UInt8(ascii: ";") { index += 1 }
        writer.append(Self.numericCodePoint(value))
        return index
    }

    @inline(__always)
    private static func digit(_ byte: UInt8, radix: UInt32) -> UInt32? {
        if byte &- UInt8(ascii: "0") < 10 { return UInt32(byte &- UInt8(ascii: "0")) }
        let letter = byte | 0x20
        if radix == 16 && letter &- UInt8(ascii: "a") < 6 { return UInt32(letter &- UInt8(ascii: "a")) + 10 }
        return nil
    }

    /// HTML's fix-ups after a numeric reference: NUL, surrogates and values past Unicode
    /// become U+FFFD; 0x80–0x9F are read as windows-1252, as pages written in it meant.
    static func numericCodePoint(_ value: UInt32) -> UInt32 {
        switch value {
        case 0, 0xD800...0xDFFF, 0x110000...:
            return 0xFFFD
        case 0x80...0x9F:
            // The five bytes windows-1252 leaves unassigned map to themselves there.
            return SingleByteDecoding.windows1252C1[Int(value - 0x80)]
        default:
            return value
        }
    }

    /// Writes decoded UTF-8 into memory the caller sized.
    struct Writer {
        let output: UnsafeMutablePointer<UInt8>
        var count = 0

        init(_ output: UnsafeMutablePointer<UInt8>) {
            self.output = output
        }

        /// Appends `value`, a Unicode scalar (never a surrogate), as UTF-8.
        mutating func append(_ value: UInt32) {
            Charset.writeUTF8(value, to: UnsafeMutableBufferPointer(start: output, count: count + 4), at: &count)
        }
    }
}
