#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Charset {
    /// Bytes of `body` as valid UTF-8 (the BOM removed); invalid or unmappable input becomes
    /// U+FFFD, never an error or a crash.
    ///
    /// `encoding` is an Encoding Standard name or any of its labels; an unknown one decodes as
    /// windows-1252, the default. A byte order mark overrides it, as the standard's "decode"
    /// does. Copies `body` when it needs no conversion; `decodeIfNeeded` avoids that copy.
    static func decode(_ body: UnsafeRawBufferPointer, from encoding: String) -> [UInt8] {
        decodeIfNeeded(body, from: encoding) ?? Array(body)
    }

    /// `decode`, or nil when `body` as it is already is the answer: valid UTF-8 without a byte
    /// order mark that means the same in `encoding` (UTF-8 that validates, or ASCII in an
    /// ASCII-compatible encoding). Then the only work done was one validation pass.
    static func decodeIfNeeded(_ body: UnsafeRawBufferPointer, from encoding: String) -> [UInt8]? {
        var name = self.encoding(forLabel: encoding) ?? "windows-1252"
        var input = body
        if let mark = byteOrderMark(body) {
            name = mark.encoding
            input = UnsafeRawBufferPointer(rebasing: body[mark.length...])
        }
        // The input unchanged, or, when a mark was removed, a copy of the rest.
        let unchanged = { input.count == body.count ? nil : Array(input) }
        switch name {
        case "UTF-8":
            let end = UTF8Decoding.validPrefixLength(input, from: 0)
            return end == input.count ? unchanged() : UTF8Decoding.repair(input, firstError: end)
        case "UTF-16LE":
            return UTF16Decoding.decode(input, bigEndian: false)
        case "UTF-16BE":
            return UTF16Decoding.decode(input, bigEndian: true)
        case "replacement":
            // Browsers refuse these encodings outright: any content at all is one error.
            return input.isEmpty ? [] : UTF8Decoding.replacement
        case "ISO-2022-JP":
            // Its escape sequences are ASCII, so ASCII alone is not proof of no conversion.
            return IconvDecoding.decode(input, iconvName: "ISO-2022-JP")
        default:
            // Every other encoding maps ASCII bytes to themselves.
            let ascii = asciiPrefixLength(input, from: 0)
            if ascii == input.count { return unchanged() }
            switch name {
            case "windows-1252": return SingleByteDecoding.windows1252(input, asciiPrefix: ascii)
            case "x-user-defined": return SingleByteDecoding.userDefined(input, asciiPrefix: ascii)
            default: return IconvDecoding.decode(input, iconvName: iconvNames[name] ?? name)
            }
        }
    }

    /// The glibc iconv name of each encoding decoded through iconv, where it is not the
    /// standard's own: the converter whose mapping matches the standard's index (e.g. the
    /// standard's Shift_JIS is Microsoft's CP932, whose 0x5C is `\`, not glibc SHIFT_JIS's `¥`).
    private static let iconvNames: [String: String] = [
        "ISO-8859-8-I": "ISO-8859-8", // the same bytes; only the display direction differs
        "KOI8-U": "KOI8-RU",
        "x-mac-cyrillic": "MAC-UK",
        "windows-874": "CP874",
        "windows-1250": "CP1250", "windows-1251": "CP1251", "windows-1253": "CP1253",
        "windows-1254": "CP1254", "windows-1255": "CP1255", "windows-1256": "CP1256",
        "windows-1257": "CP1257", "windows-1258": "CP1258",
        "GBK": "GB18030", // the standard decodes GBK with its gb18030 decoder
        "gb18030": "GB18030",
        "Big5": "BIG5-HKSCS", // the standard's Big5 includes the HKSCS extensions
        "Shift_JIS": "CP932",
        "EUC-KR": "CP949", // the standard's EUC-KR is Microsoft's Unified Hangul Code
    ]

    /// The length of the run of ASCII bytes in `input` starting at `start`, read eight bytes at
    /// a time: most of a page is ASCII markup.
    @inline(__always)
    static func asciiPrefixLength(_ input: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = input.baseAddress else { return 0 }
        let count = input.count
        var index = start
        while index + 8 <= count {
            if base.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        while index < count, base.load(fromByteOffset: index, as: UInt8.self) < 0x80 { index += 1 }
        return index
    }

    /// Writes `scalar` as UTF-8 at `output[offset...]` and moves `offset` past it. The caller
    /// has made room for four bytes.
    @inline(__always)
    static func writeUTF8(_ scalar: UInt32, to output: UnsafeMutableBufferPointer<UInt8>, at offset: inout Int) {
        switch scalar {
        case ..<0x80:
            output[offset] = UInt8(scalar)
            offset += 1
        case ..<0x800:
            output[offset] = UInt8(0xC0 | scalar >> 6)
            output[offset + 1] = UInt8(0x80 | scalar & 0x3F)
            offset += 2
        case ..<0x10000:
            output[offset] = UInt8(0xE0 | scalar >> 12)
            output[offset + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[offset + 2] = UInt8(0x80 | scalar & 0x3F)
            offset += 3
        default:
            output[offset] = UInt8(0xF0 | scalar >> 18)
            output[offset + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            output[offset + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[offset + 3] = UInt8(0x80 | scalar & 0x3F)
            offset += 4
        }
    }
}

/// UTF-8 validation, and repair with the Encoding Standard's UTF-8 decoder: each maximal
/// subpart of an ill-formed sequence becomes one U+FFFD (so `E2 82` then `A`, a sequence cut
/// short, is one U+FFFD and `A`; a lone `80` is one U+FFFD), as browsers and Swift's own
/// `String(decoding:as:)` do.
enum UTF8Decoding {
    static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// The length of the longest well-formed prefix of `input[start...]`, plus `start`: the
    /// index of the first ill-formed sequence, or `input.count`.
    static func validPrefixLength(_ input: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        let count = input.count
        var index = start
        while true {
            index = Charset.asciiPrefixLength(input, from: index)
            guard index < count else { return count }
            let (end, valid) = sequence(base, at: index, count: count)
            guard valid else { return index }
            index = end
        }
    }

    /// `input` with every ill-formed sequence replaced; `input[..<firstError]` is well formed.
    static func repair(_ input: UnsafeRawBufferPointer, firstError: Int) -> [UInt8] {
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return [] }
        let count = input.count
        var output: [UInt8] = []
        // Damage is usually a few bytes in a large page: room for the page and some U+FFFDs.
        output.reserveCapacity(count + count / 16 + 16)
        var index = 0
        var end = firstError
        while true {
            output.append(contentsOf: UnsafeBufferPointer(start: base + index, count: end - index))
            guard end < count else { return output }
            index = sequence(base, at: end, count: count).end
            output.append(contentsOf: replacement)
            end = validPrefixLength(input, from: index)
        }
    }

    /// The sequence whose lead byte (not ASCII) is at `index`: where it ends and whether it is
    /// well formed. When it is not, it ends after its maximal subpart: the bytes that could
    /// still have begun a well-formed sequence (at least the lead byte).
    @inline(__always)
    static func sequence(_ bytes: UnsafePointer<UInt8>, at index: Int, count: Int) -> (end: Int, valid: Bool) {
        var needed: Int
        // The range allowed for the first continuation byte; later ones are always 80...BF.
        // These ranges rule out overlong forms, surrogates and scalars above U+10FFFF.
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch bytes[index] {
        case 0xC2...0xDF: needed = 1
        case 0xE0: needed = 2; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: needed = 2
        case 0xED: needed = 2; upper = 0x9F
        case 0xF0: needed = 3; lower = 0x90
        case 0xF1...0xF3: needed = 3
        case 0xF4: needed = 3; upper = 0x8F
        default: return (index + 1, false)
        }
        var end = index + 1
        while needed > 0 {
            guard end < count, bytes[end] >= lower, bytes[end] <= upper else { return (end, false) }
            lower = 0x80
            upper = 0xBF
            end += 1
            needed -= 1
        }
        return (end, true)
    }
}

/// The Encoding Standard's UTF-16LE and UTF-16BE decoders: an unpaired surrogate, or an odd
/// byte at the end, becomes U+FFFD.
enum UTF16Decoding {
    static func decode(_ input: UnsafeRawBufferPointer, bigEndian: Bool) -> [UInt8] {
        let count = input.count
        // Two bytes become at most three (a lone surrogate's U+FFFD), a pair's four become four;
        // plus one U+FFFD for a dangling byte or surrogate at the end.
        return [UInt8](unsafeUninitializedCapacity: count / 2 * 3 + 3) { output, written in
            var offset = 0
            var index = 0
            var lead: UInt32?
            while index + 1 < count {
                let first = UInt32(input[index]), second = UInt32(input[index + 1])
                let unit = bigEndian ? first << 8 | second : second << 8 | first
                index += 2
                if let high = lead {
                    lead = nil
                    if (0xDC00...0xDFFF).contains(unit) {
                        Charset.writeUTF8(0x10000 + (high - 0xD800) << 10 + (unit - 0xDC00), to: output, at: &offset)
                        continue
                    }
                    // The lead had no trail; this unit is read afresh.
                    Charset.writeUTF8(0xFFFD, to: output, at: &offset)
                }
                switch unit {
                case 0xD800...0xDBFF: lead = unit
                case 0xDC00...0xDFFF: Charset.writeUTF8(0xFFFD, to: output, at: &offset)
                default: Charset.writeUTF8(unit, to: output, at: &offset)
                }
            }
            if lead != nil || index < count { Charset.writeUTF8(0xFFFD, to: output, at: &offset) }
            written = offset
        }
    }
}

/// The single-byte encodings decoded in Swift rather than through iconv: windows-1252 is the
/// default for every page that declares nothing, so it must be fast.
enum SingleByteDecoding {
    /// windows-1252 by a 256-entry table; `input[..<asciiPrefix]` is ASCII.
    static func windows1252(_ input: UnsafeRawBufferPointer, asciiPrefix: Int) -> [UInt8] {
        guard let source = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return [] }
        let count = input.count
        return windows1252Table.withUnsafeBufferPointer { table in
            // One pass to size the output exactly, one to fill it. Both copy or skip ASCII runs
            // whole: even a Latin-1 page is mostly ASCII markup.
            var size = count
            var index = asciiPrefix
            while index < count {
                size += Int(table[Int(source[index])] >> 24) - 1
                index = Charset.asciiPrefixLength(input, from: index + 1)
            }
            return [UInt8](unsafeUninitializedCapacity: size) { output, written in
                guard let target = output.baseAddress else { return }
                var offset = 0
                var index = 0
                while index < count {
                    let run = Charset.asciiPrefixLength(input, from: index) - index
                    (target + offset).initialize(from: source + index, count: run)
                    offset += run
                    index += run
                    guard index < count else { break }
                    let entry = table[Int(source[index])]
                    target[offset] = UInt8(truncatingIfNeeded: entry)
                    target[offset + 1] = UInt8(truncatingIfNeeded: entry >> 8)
                    if entry >> 24 == 3 { target[offset + 2] = UInt8(truncatingIfNeeded: entry >> 16) }
                    offset += Int(entry >> 24)
                    index += 1
                }
                written = offset
            }
        }
    }

    /// x-user-defined: bytes 80–FF are U+F780–U+F7FF (private use), so binary data survives.
    static func userDefined(_ input: UnsafeRawBufferPointer, asciiPrefix: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: asciiPrefix + (input.count - asciiPrefix) * 3) { output, written in
            var offset = 0
            for byte in input {
                Charset.writeUTF8(byte < 0x80 ? UInt32(byte) : 0xF780 + UInt32(byte - 0x80), to: output, at: &offset)
            }
            written = offset
        }
    }

    /// Each byte's UTF-8 form, packed: the bytes in the low three bytes (first byte lowest),
    /// the length in the top byte.
    private static let windows1252Table: [UInt32] = (0...255).map { byte in
        let scalar = (0x80...0x9F).contains(byte) ? windows1252C1[byte - 0x80] : UInt32(byte)
        var packed: UInt32 = 0
        var length: UInt32 = 0
        for unit in String(Unicode.Scalar(scalar)!).utf8 {
            packed |= UInt32(unit) << (8 * length)
            length += 1
        }
        return packed | length << 24
    }

    /// Bytes 80–9F: where windows-1252 differs from ISO-8859-1 (the standard's index; the five
    /// unassigned bytes map to the C1 controls of the same value, as in browsers). HTML's
    /// numeric character references use the same remapping.
    static let windows1252C1: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}

/// Every other encoding, through glibc's iconv. An `iconv_t` keeps conversion state and is not
/// thread-safe, so each call opens its own (glibc caches the loaded converter itself, so
/// opening is cheap) and nothing is shared between threads.
enum IconvDecoding {
    static func decode(_ input: UnsafeRawBufferPointer, iconvName: String) -> [UInt8] {
        // iconv_open fails with (iconv_t)-1, not NULL.
        guard let converter = iconv_open("UTF-8", iconvName), Int(bitPattern: converter) != -1 else {
            // The converter is not installed (glibc's gconv modules are missing): keep what is
            // certain, the ASCII bytes, and mark every other byte as lost.
            return asciiOnly(input)
        }
        defer { iconv_close(converter) }
        var output = Buffer(capacity: input.count + input.count / 2 + 64)
        defer { output.deallocate() }
        // iconv's input pointer is not const, but it only reads through it.
        var source = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: CChar.self))
        var sourceLeft = input.count
        while true {
            // With no input left, one more call flushes what the converter holds back (Big5-HKSCS
            // waits to see whether a combining mark follows).
            let flushing = sourceLeft == 0
            var target: UnsafeMutablePointer<CChar>? = output.end
            var targetLeft = output.free
            let result = flushing
                ? iconv(converter, nil, nil, &target, &targetLeft)
                : iconv(converter, &source, &sourceLeft, &target, &targetLeft)
            let error = errno
            output.count = output.capacity - targetLeft
            if result != -1 {
                if flushing { return output.array() }
                continue
            }
            if error == E2BIG {
                output.grow()
            } else if (error == EILSEQ || error == EINVAL) && !flushing {
                // An invalid or (at the end) incomplete sequence: one U+FFFD, then resume at the
                // next byte, which may begin a valid character (an ASCII trail byte does).
                output.append(UTF8Decoding.replacement)
                source = source.map { $0 + 1 }
                sourceLeft -= 1
            } else {
                // A converter that fails otherwise, or holds an incomplete character at the end.
                output.append(UTF8Decoding.replacement)
                return output.array()
            }
        }
    }

    private static func asciiOnly(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        for byte in input {
            if byte < 0x80 { output.append(byte) } else { output.append(contentsOf: UTF8Decoding.replacement) }
        }
        return output
    }

    /// iconv's output: a heap buffer that iconv writes into directly, grown by doubling.
    private struct Buffer {
        private(set) var start: UnsafeMutablePointer<UInt8>
        private(set) var capacity: Int
        var count = 0

        init(capacity: Int) {
            start = .allocate(capacity: capacity)
            self.capacity = capacity
        }

        var end: UnsafeMutablePointer<CChar> {
            UnsafeMutableRawPointer(start + count).assumingMemoryBound(to: CChar.self)
        }

        var free: Int { capacity - count }

        mutating func grow() {
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            larger.update(from: start, count: count)
            start.deallocate()
            start = larger
            capacity *= 2
        }

        mutating func append(_ bytes: [UInt8]) {
            while free < bytes.count { grow() }
            for byte in bytes {
                start[count] = byte
                count += 1
            }
        }

        func array() -> [UInt8] {
            Array(UnsafeBufferPointer(start: start, count: count))
        }

        func deallocate() {
            start.deallocate()
        }
    }
}
