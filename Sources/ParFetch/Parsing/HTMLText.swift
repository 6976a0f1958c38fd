/// Makes the strings of a `ScannedPage` from raw page bytes: character references decoded as
/// the HTML tokenizer does, NUL as U+FFFD, CR and CRLF as LF (the tokenizer's input
/// preprocessing), then trimmed or with white space collapsed.
///
/// Most values need no decoding and become strings straight from the page; the others are
/// decoded straight into the new string's storage. Either way a value costs one allocation.
/// It borrows the page's buffer: it lives only inside `PageScanner.scan`.
struct HTMLText {
    /// Where a reference stands: in attribute values, `&copy=1` and `&copyx` are kept as
    /// written (HTML's rule for query strings); in text they decode.
    enum Context { case text, attribute }

    let bytes: UnsafePointer<UInt8>

    init(_ bytes: UnsafePointer<UInt8>) {
        self.bytes = bytes
    }

    /// The decoded attribute value in `range` without leading and trailing white space.
    func trimmed(_ range: Range<Int>) -> String {
        guard needsDecoding(range) else {
            var start = range.lowerBound
            var end = range.upperBound
            while start < end && bytes[start].isHTMLWhiteSpace { start += 1 }
            while end > start && bytes[end - 1].isHTMLWhiteSpace { end -= 1 }
            return String(decoding: UnsafeBufferPointer(start: bytes + start, count: end - start), as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: decodedCapacity(range)) { buffer in
            let count = decode(range, in: .attribute, into: buffer)
            var start = 0
            var end = count
            while start < end && buffer[start].isHTMLWhiteSpace { start += 1 }
            while end > start && buffer[end - 1].isHTMLWhiteSpace { end -= 1 }
            for index in 0..<(end - start) where start > 0 { buffer[index] = buffer[start + index] }
            return end - start
        }
    }

    /// The decoded text in `range` with each run of white space made one space, and none at
    /// either end (what XPath's `normalize-space` gives for a DOM node's text).
    func collapsed(_ range: Range<Int>, in context: Context) -> String {
        String(unsafeUninitializedCapacity: decodedCapacity(range)) { buffer in
            let count = decode(range, in: context, into: buffer)
            var written = 0
            var pendingSpace = false
            for index in 0..<count {
                let byte = buffer[index]
                if byte.isHTMLWhiteSpace {
                    pendingSpace = written > 0
                    continue
                }
                if pendingSpace {
                    buffer[written] = UInt8(ascii: " ")
                    written += 1
                    pendingSpace = false
                }
                buffer[written] = byte
                written += 1
            }
            return written
        }
    }

    /// Whether the decoded attribute value in `range` is `name` (lower case ASCII) in any case.
    func value(_ range: Range<Int>, is name: StaticString) -> Bool {
        withDecoded(range) { Self.spell($0, name) }
    }

    /// Whether the decoded attribute value in `range`, a list of tokens separated by white
    /// space (like `rel`), has `token` (lower case ASCII) in any case.
    func value(_ range: Range<Int>, hasToken token: StaticString) -> Bool {
        withDecoded(range) { list in
            var index = 0
            while index < list.count {
                while index < list.count && list[index].isHTMLWhiteSpace { index += 1 }
                let start = index
                while index < list.count && !list[index].isHTMLWhiteSpace { index += 1 }
                if start < index && Self.spell(UnsafeBufferPointer(rebasing: list[start..<index]), token) { return true }
            }
            return false
        }
    }

    /// Calls `body` with the decoded attribute value in `range`, decoding only if needed.
    private func withDecoded<Result>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        guard needsDecoding(range) else {
            return body(UnsafeBufferPointer(start: bytes + range.lowerBound, count: range.count))
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: decodedCapacity(range)) { buffer in
            let count = decode(range, in: .attribute, into: buffer)
            return body(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    private static func spell(_ value: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        guard value.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        for index in 0..<value.count where value[index].asciiLowercased != expected[index] { return false }
        return true
    }

    /// Whether `range` holds `&`, NUL or CR, which decoding changes. Most values hold none;
    /// links are checked a word at a time.
    @inline(__always)
    private func needsDecoding(_ range: Range<Int>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = range.lowerBound
        while index + 8 <= range.upperBound {
            let word = UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)
            // A byte of `word` equals `b` when `word ^ (b * ones)` has a zero byte.
            let ampersand = word ^ (ones &* 0x26)
            let carriageReturn = word ^ (ones &* 0x0D)
            let found = ((word &- ones) & ~word) | ((ampersand &- ones) & ~ampersand)
                | ((carriageReturn &- ones) & ~carriageReturn)
            if found & highs != 0 { return true }
            index += 8
        }
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") || byte == 0 || byte == 0x0D { return true }
            index += 1
        }
        return false
    }
}
