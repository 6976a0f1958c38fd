/// Writes records as JSON Lines: one object per line, keys in the documented order (DESIGN.md's
/// record contract, with `duplicate_of` after `attempts` and `saved` after `extract`, before
/// `error`), absent values left out. Strings are escaped per RFC 8259; Swift strings are valid
/// UTF-8, so the output always is.
public enum JSONLineEncoder {
    /// Appends `record` and a newline to `output`.
    public static func encode(_ record: Record, into output: inout [UInt8]) {
        encode(record, selecting: .record, into: &output)
    }

    /// Appends the parts of `record` that `selection` keeps, in the record's structure and
    /// key order, and a newline.
    static func encode(_ record: Record, selecting selection: JSONSelection, into output: inout [UInt8]) {
        let keys = selection.keys
        var object = JSONObjectWriter(&output)
        if keys.contains(.line) { object.field("line", record.line, &output) }
        if keys.contains(.url) { object.field("url", record.url, &output) }
        if keys.contains(.finalURL) { object.field("final_url", record.finalURL, &output) }
        if keys.contains(.status) { object.field("status", record.status, &output) }
        if keys.contains(.ok) { object.field("ok", record.ok, &output) }
        if keys.contains(.contentType) { object.field("content_type", record.contentType, &output) }
        if keys.contains(.bytes) { object.field("bytes", record.bytes, &output) }
        if keys.contains(.httpVersion) { object.field("http_version", record.httpVersion, &output) }
        if keys.contains(.redirects) { object.field("redirects", record.redirects, &output) }
        if keys.contains(.attempts) { object.field("attempts", record.attempts, &output) }
        if keys.contains(.duplicateOf) { object.field("duplicate_of", record.duplicateOf, &output) }
        if let timing = record.timing, selection.keepsAny(of: timing) {
            object.key("time", &output)
            var time = JSONObjectWriter(&output)
            if keys.contains(.timeTotal) { time.seconds("total", timing.totalMicroseconds, &output) }
            if keys.contains(.timeDNS) { time.seconds("dns", timing.dnsMicroseconds, &output) }
            if keys.contains(.timeConnect) { time.seconds("connect", timing.connectMicroseconds, &output) }
            if keys.contains(.timeTLS) { time.seconds("tls", timing.tlsMicroseconds, &output) }
            if keys.contains(.timeFirstByte) { time.seconds("ttfb", timing.firstByteMicroseconds, &output) }
            time.close(&output)
        }
        if let page = record.page {
            if keys.contains(.title) { object.field("title", page.title, &output) }
            if keys.contains(.description) { object.field("description", page.description, &output) }
            if keys.contains(.lang) { object.field("lang", page.lang, &output) }
            if keys.contains(.canonical) { object.field("canonical", page.canonical, &output) }
            if keys.contains(.links) {
                object.key("links", &output)
                appendArray(page.links, to: &output)
            }
            // Only when true: most pages have all their links.
            if keys.contains(.linksTruncated) && page.linksTruncated {
                object.field("links_truncated", true, &output)
            }
            if keys.contains(.linksCount) { object.field("links_count", page.links.count, &output) }
            if page.extract.contains(where: selection.keeps) {
                object.key("extract", &output)
                var extract = JSONObjectWriter(&output)
                for entry in page.extract where selection.keeps(entry) {
                    extract.key(entry.name, &output)
                    appendArray(entry.values, to: &output)
                }
                extract.close(&output)
            }
        }
        if keys.contains(.saved) { object.field("saved", record.saved, &output) }
        if let error = record.error, !keys.isDisjoint(with: .error) {
            object.key("error", &output)
            var nested = JSONObjectWriter(&output)
            if keys.contains(.errorKind) { nested.field("kind", error.kind.description, &output) }
            if keys.contains(.errorMessage) { nested.field("message", error.message, &output) }
            nested.close(&output)
        }
        object.close(&output)
        output.append(UInt8(ascii: "\n"))
    }

    static func appendArray(_ strings: [String], to output: inout [UInt8]) {
        output.append(UInt8(ascii: "["))
        for (index, string) in strings.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            appendString(string, to: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    /// Appends `string` as a JSON string literal.
    static func appendString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `value` rounded to microseconds, as the shortest decimal that reads back the
    /// same (0 for values JSON can't express).
    static func appendDecimal(_ value: Double, to output: inout [UInt8]) {
        let rounded = (value * 1_000_000).rounded() / 1_000_000
        output.append(contentsOf: (rounded.isFinite ? "\(rounded)" : "0").utf8)
    }

    /// Microseconds written as seconds with six decimals, exactly (negative ones as 0).
    static func appendSeconds(_ microseconds: Int64, to output: inout [UInt8]) {
        let value = max(0, microseconds)
        appendInteger(value / 1_000_000, to: &output)
        output.append(UInt8(ascii: "."))
        var fraction = value % 1_000_000
        var divisor: Int64 = 100_000
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    /// Appends the decimal digits of `value` without going through a String.
    static func appendInteger<T: BinaryInteger>(_ value: T, to output: inout [UInt8]) {
        var magnitude = UInt64(value.magnitude)
        if value < 0 { output.append(UInt8(ascii: "-")) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var index = 20
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index...]))
        }
    }
}

/// Writes one JSON object's punctuation into a byte buffer: braces, commas, keys.
struct JSONObjectWriter {
    private var first = true

    init(_ output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
    }

    mutating func key(_ name: StaticString, _ output: inout [UInt8]) {
        if !first { output.append(UInt8(ascii: ",")) }
        first = false
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// A key chosen by the user (an extraction rule's name), escaped.
    mutating func key(_ name: String, _ output: inout [UInt8]) {
        if !first { output.append(UInt8(ascii: ",")) }
        first = false
        JSONLineEncoder.appendString(name, to: &output)
        output.append(UInt8(ascii: ":"))
    }

    mutating func field(_ name: StaticString, _ value: String?, _ output: inout [UInt8]) {
        guard let value else { return }
        key(name, &output)
        JSONLineEncoder.appendString(value, to: &output)
    }

    mutating func field(_ name: StaticString, _ value: Int?, _ output: inout [UInt8]) {
        guard let value else { return }
        key(name, &output)
        JSONLineEncoder.appendInteger(value, to: &output)
    }

    mutating func field(_ name: StaticString, _ value: Bool, _ output: inout [UInt8]) {
        key(name, &output)
        output.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func seconds(_ name: StaticString, _ microseconds: Int64?, _ output: inout [UInt8]) {
        guard let microseconds else { return }
        key(name, &output)
        JSONLineEncoder.appendSeconds(microseconds, to: &output)
    }

    func close(_ output: inout [UInt8]) {
        output.append(UInt8(ascii: "}"))
    }
}
