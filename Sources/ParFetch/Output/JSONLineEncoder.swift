/// Writes records as JSON Lines: one object per line, keys in `RecordSchema`'s order (DESIGN.md's
/// record contract), absent values left out. Strings are escaped per RFC 8259; Swift strings
/// are valid UTF-8, so the output always is.
public enum JSONLineEncoder {
    /// Appends `record` and a newline to `output`.
    public static func encode(_ record: Record, into output: inout [UInt8]) {
        encode(record, selecting: .record, into: &output)
    }

    /// Appends the parts of `record` that `selection` keeps, in the record's structure and
    /// key order (`RecordSchema.keys`), and a newline. A group's object is opened at its first
    /// member with a value, so that one with none is left out, as absent values are.
    static func encode(_ record: Record, selecting selection: JSONSelection, into output: inout [UInt8]) {
        var writer = RecordValueWriter.beginJSON(selecting: selection, output: &output)
        RecordSchema.keys.withUnsafeBufferPointer { keys in
            var bits = selection.keys
            while bits != 0 {
                let key = keys[bits.trailingZeroBitCount]
                bits &= bits - 1
                writer.enter(key)
                key.write(record, &writer)
            }
        }
        writer.endJSON(output: &output)
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
