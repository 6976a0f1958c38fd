#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One attribute of a tag, as offsets into the page: the name as written (any case) and the
/// raw value (entities not decoded; empty for an attribute without a value).
struct MarkupAttribute {
    var name: Range<Int>
    var value: Range<Int>
}

/// A position in a page's bytes that moves the way the HTML tokenizer's states do, but only
/// as far as the page scanner needs: where tags and attributes begin and end, and where
/// comments and raw text end. It yields ranges, never characters, and allocates nothing.
///
/// It borrows the page's buffer: a cursor lives only inside `PageScanner.scan`.
struct MarkupCursor {
    let bytes: UnsafePointer<UInt8>
    let end: Int
    var position = 0
    /// The input ended inside a tag, comment or raw text. The tokenizer drops an unfinished
    /// tag and nothing after that point can be markup, so the scan stops.
    var finished = false

    init(_ bytes: UnsafePointer<UInt8>, count: Int) {
        self.bytes = bytes
        end = count
    }

    /// The offset of the next `byte` in `start..<limit` (by default, up to the end).
    @inline(__always)
    func find(_ byte: UInt8, from start: Int, before limit: Int? = nil) -> Int? {
        let limit = limit ?? end
        guard start < limit, let found = memchr(bytes + start, Int32(byte), limit - start) else { return nil }
        return UnsafeRawPointer(bytes).distance(to: UnsafeRawPointer(found))
    }

    /// Stops the scan: the rest of the input is inside something unfinished.
    @inline(__always)
    mutating func finish() {
        position = end
        finished = true
    }

    // MARK: Tags

    /// Reads a tag name that starts at `position` (a letter) up to white space, `/` or `>`.
    @inline(__always)
    mutating func tagName() -> Range<Int> {
        let start = position
        var index = start + 1
        while index < end && !bytes[index].isIn(Self.endsTagName) { index += 1 }
        position = index
        return start..<index
    }

    /// The next attribute of the tag being read, or nil once the tag is over: after its `>`
    /// (`finished` false), or at the end of the input (`finished` true; the tag does not count).
    ///
    /// Follows the tokenizer from the "before attribute name" state: a `/` between attributes is
    /// ignored, a name runs to white space, `/`, `>` or `=` (its first character may be `=`),
    /// values are quoted with `"` or `'` (a `>` inside does not end the tag) or unquoted up to
    /// white space or `>`.
    mutating func nextAttribute() -> MarkupAttribute? {
        var index = position
        while true {
            guard index < end else { finish(); return nil }
            let byte = bytes[index]
            if byte == UInt8(ascii: ">") {
                position = index + 1
                return nil
            }
            guard byte == UInt8(ascii: "/") || byte.isHTMLWhiteSpace else { break }
            index += 1
        }
        let nameStart = index
        index += 1
        while index < end && !bytes[index].isIn(Self.endsAttributeName) { index += 1 }
        let name = nameStart..<index
        while index < end && bytes[index].isHTMLWhiteSpace { index += 1 }
        guard index < end, bytes[index] == UInt8(ascii: "=") else {
            // No value; what follows (`/`, `>`, another name, the end) is the next call's.
            position = index
            return MarkupAttribute(name: name, value: index..<index)
        }
        index += 1
        while index < end && bytes[index].isHTMLWhiteSpace { index += 1 }
        guard index < end else { finish(); return nil }
        let quote = bytes[index]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            guard let close = find(quote, from: index + 1) else { finish(); return nil }
            position = close + 1
            return MarkupAttribute(name: name, value: index + 1..<close)
        }
        let valueStart = index
        while index < end && !bytes[index].isIn(Self.endsUnquotedValue) { index += 1 }
        position = index
        return MarkupAttribute(name: name, value: valueStart..<index)
    }

    /// Reads the rest of a tag whose attributes do not matter. False if the input ended first.
    @inline(__always)
    mutating func skipAttributes() -> Bool {
        while nextAttribute() != nil {}
        return !finished
    }

    /// Whether `range` spells `name` (lower case ASCII) in any case.
    @inline(__always)
    func spells(_ range: Range<Int>, _ name: StaticString) -> Bool {
        range.count == name.utf8CodeUnitCount && matches(name, at: range.lowerBound)
    }

    /// Whether the bytes at `start` spell `name` (lower case ASCII) in any case.
    @inline(__always)
    func matches(_ name: StaticString, at start: Int) -> Bool {
        let count = name.utf8CodeUnitCount
        guard start + count <= end else { return false }
        let expected = name.utf8Start
        for index in 0..<count where bytes[start + index].asciiLowercased != expected[index] { return false }
        return true
    }

    /// Whether an end or start tag named `name` starts at `start` (just after `</` or `<`):
    /// the name in any case, then white space, `/` or `>`, as the tokenizer's "appropriate end
    /// tag" test for raw text requires (`</scripts>` does not end a script).
    @inline(__always)
    func isTag(_ name: StaticString, at start: Int) -> Bool {
        let after = start + name.utf8CodeUnitCount
        guard after < end, matches(name, at: start) else { return false }
        let byte = bytes[after]
        return byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte.isHTMLWhiteSpace
    }

    // MARK: Comments

    /// Skips a comment whose `<!--` ends just before `position`. A comment ends at `-->`,
    /// `--!>`, or at once for `<!-->` and `<!--->`; without an end it runs to the end of input.
    mutating func skipComment() {
        let bodyStart = position
        if bodyStart < end && bytes[bodyStart] == UInt8(ascii: ">") {
            position = bodyStart + 1
            return
        }
        if bodyStart + 1 < end && bytes[bodyStart] == UInt8(ascii: "-") && bytes[bodyStart + 1] == UInt8(ascii: ">") {
            position = bodyStart + 2
            return
        }
        var index = bodyStart
        while let close = find(UInt8(ascii: ">"), from: index) {
            if close - 2 >= bodyStart && bytes[close - 1] == UInt8(ascii: "-") && bytes[close - 2] == UInt8(ascii: "-") {
                position = close + 1
                return
            }
            if close - 3 >= bodyStart && bytes[close - 1] == UInt8(ascii: "!") && bytes[close - 2] == UInt8(ascii: "-")
                && bytes[close - 3] == UInt8(ascii: "-") {
                position = close + 1
                return
            }
            index = close + 1
        }
        finish()
    }

    /// Skips a bogus comment (`<?…>`, `<!DOCTYPE …>`, `<![CDATA[…]>` outside foreign content,
    /// `</3>`) that started before `position`: it ends at the first `>`, even inside quotes.
    @inline(__always)
    mutating func skipBogusComment() {
        guard let close = find(UInt8(ascii: ">"), from: position) else { return finish() }
        position = close + 1
    }
}

/// Sets of bytes below 0x40, one bit per byte, so that a name or value loop spends one
/// comparison on the letters that make up most of it.
extension MarkupCursor {
    typealias ByteSet = UInt64
    /// TAB, LF, FF, CR and space: HTML's ASCII white space.
    static let whiteSpace: ByteSet = 1 << 0x09 | 1 << 0x0A | 1 << 0x0C | 1 << 0x0D | 1 << 0x20
    static let endsTagName: ByteSet = whiteSpace | 1 << 0x2F | 1 << 0x3E  // `/`, `>`
    static let endsAttributeName: ByteSet = endsTagName | 1 << 0x3D  // and `=`
    static let endsUnquotedValue: ByteSet = whiteSpace | 1 << 0x3E
}

extension UInt8 {
    @inline(__always)
    func isIn(_ set: MarkupCursor.ByteSet) -> Bool {
        self < 0x40 && set >> UInt64(self) & 1 == 1
    }

    /// TAB, LF, FF, CR and space: HTML's ASCII white space.
    @inline(__always)
    var isHTMLWhiteSpace: Bool { isIn(MarkupCursor.whiteSpace) }

    /// A-Z and a-z: what may follow `<` or `</` to make a tag.
    @inline(__always)
    var isHTMLLetter: Bool { (self | 0x20) &- UInt8(ascii: "a") < 26 }

    /// A-Z, a-z and 0-9: what a character reference's name is made of.
    @inline(__always)
    var isHTMLAlphanumeric: Bool { isHTMLLetter || self &- UInt8(ascii: "0") < 10 }

    @inline(__always)
    var asciiLowercased: UInt8 { self &- UInt8(ascii: "A") < 26 ? self | 0x20 : self }
}
