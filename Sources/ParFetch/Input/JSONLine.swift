/// One line of a JSON Lines list, read: `{"url": …, "method": …, "headers": {…}, "body": "…" |
/// "json": …, "meta": …}`. Only `url` is required. `meta` and `json` are kept as the bytes of
/// their values, exactly as given, so that `meta` reaches the record byte for byte and `json`
/// is sent as written.
///
/// A strict RFC 8259 reader of its own (`JSONLine.Scanner`), not Foundation's: it must give
/// the byte range of a value, and accept only what every JSON reader accepts, since `meta` is
/// copied into the output unchecked by anything else.
struct JSONLine: Equatable {
    /// Nesting deeper than this is refused (the scanner recurses once per level).
    static let maximumDepth = 256

    var url: String
    var method: String?
    /// In curl's syntax: `Name: value`, `Name;` for an empty value, `Name:` to remove one.
    var headers: [String] = []
    var body: [UInt8]?
    /// The body came from `json`: sent with the JSON content type, as curl's `--json`.
    var bodyIsJSON = false
    var meta: [UInt8]?

    /// What a line that can't be used still tells: its `url` and `meta`, when they could be
    /// read, for its error record.
    struct Failure: Error, Equatable {
        var message: String
        var url: String?
        var meta: [UInt8]?
    }

    static let keys = ["url", "method", "headers", "body", "json", "meta"]

    /// Reads `bytes`, one line (valid UTF-8, without its newline).
    static func parse(_ bytes: ArraySlice<UInt8>) -> Result<JSONLine, Failure> {
        var scanner = Scanner(bytes)
        var url: String?
        var meta: [UInt8]?
        var line = JSONLine(url: "")
        var seen = Set<String>()
        var body: (bytes: [UInt8], json: Bool)?
        do {
            scanner.skipSpace()
            guard scanner.peek == UInt8(ascii: "{") else {
                throw Scanner.Problem("not a JSON object")
            }
            try scanner.object(depth: 1) { key, scanner in
                guard seen.insert(key).inserted else { throw Scanner.Problem("key \(quoted(key)) given twice") }
                switch key {
                case "url":
                    url = try scanner.stringValue(for: key)
                case "method":
                    let method = try scanner.stringValue(for: key)
                    guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else {
                        throw Scanner.Problem("method \(quoted(method)) is not an HTTP method name")
                    }
                    line.method = method
                case "headers":
                    line.headers = try scanner.headers()
                case "body", "json":
                    if body != nil { throw Scanner.Problem("give either body or json, not both") }
                    if key == "body" {
                        body = (Array(try scanner.stringValue(for: key).utf8), false)
                    } else {
                        body = (Array(try scanner.rawValue()), true)
                    }
                case "meta":
                    meta = Array(try scanner.rawValue())
                default:
                    throw Scanner.Problem("unknown key \(quoted(key)) (keys: \(keys.joined(separator: ", ")))")
                }
            }
            scanner.skipSpace()
            guard scanner.atEnd else { throw Scanner.Problem("text after the JSON object") }
            guard let url else { throw Scanner.Problem("no \"url\"") }
            if line.method == "HEAD" && body != nil { throw Scanner.Problem("a HEAD request has no body") }
            guard !url.utf8.contains(0) else { throw Scanner.Problem("the url contains a NUL") }
            line.url = url
            line.meta = meta
            if let body {
                line.body = body.bytes
                line.bodyIsJSON = body.json
            }
            return .success(line)
        } catch let problem as Scanner.Problem {
            let where_ = problem.located ? " at byte \(scanner.offset + 1)" : ""
            return .failure(Failure(message: "invalid JSON Lines input: \(problem.message)\(where_)", url: url, meta: meta))
        } catch {
            return .failure(Failure(message: "invalid JSON Lines input", url: url, meta: meta))
        }
    }

    /// `text` in single quotes for a message, escaped as in JSON (a key or method may hold a
    /// line break, and a message is one line).
    static func quoted(_ text: String) -> String {
        var escaped: [UInt8] = []
        JSONLineEncoder.appendString(text, to: &escaped)
        return "'" + String(decoding: escaped.dropFirst().dropLast(), as: UTF8.self) + "'"
    }

    /// RFC 9110's `tchar`: what a method or header name is made of.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension JSONLine {
    /// Reads JSON text a value at a time: validates it to RFC 8259's grammar, decodes strings,
    /// and gives the bytes of a value as they stand.
    struct Scanner {
        struct Problem: Error {
            var message: String
            /// Whether the scanner's offset says where it is.
            var located: Bool

            init(_ message: String, located: Bool = false) {
                self.message = message
                self.located = located
            }
        }

        private let bytes: ArraySlice<UInt8>
        private var index: Int

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        var atEnd: Bool { index == bytes.endIndex }
        var peek: UInt8? { atEnd ? nil : bytes[index] }
        /// Bytes read so far.
        var offset: Int { index - bytes.startIndex }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        private func syntax(_ message: String) -> Problem {
            Problem(message, located: true)
        }

        /// An object's members: `member` reads each value (after its key) from the scanner.
        mutating func object(depth: Int, _ member: (String, inout Scanner) throws -> Void) throws {
            guard depth <= JSONLine.maximumDepth else { throw Problem("nested deeper than \(JSONLine.maximumDepth) levels") }
            index += 1  // {
            skipSpace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw syntax("expected a key") }
                let key = try string(decoding: true) ?? ""
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw syntax("expected ':'") }
                index += 1
                skipSpace()
                try member(key, &self)
                skipSpace()
                switch peek {
                case UInt8(ascii: ",")?: index += 1
                case UInt8(ascii: "}")?:
                    index += 1
                    return
                default: throw syntax("expected ',' or '}'")
                }
            }
        }

        /// Any value, skipped; returns its bytes.
        mutating func rawValue() throws -> ArraySlice<UInt8> {
            let start = index
            try value(depth: 1)
            return bytes[start..<index]
        }

        /// A string value, decoded.
        mutating func stringValue(for key: String) throws -> String {
            guard peek == UInt8(ascii: "\"") else { throw Problem("\"\(key)\" must be a string") }
            return try string(decoding: true) ?? ""
        }

        /// An object of header names and string values (null: remove the header).
        mutating func headers() throws -> [String] {
            guard peek == UInt8(ascii: "{") else { throw Problem("\"headers\" must be an object") }
            var headers: [String] = []
            try object(depth: 2) { name, scanner in
                guard !name.isEmpty, name.utf8.allSatisfy(JSONLine.isTokenByte) else {
                    throw Problem("header name \(JSONLine.quoted(name)) is not a valid name")
                }
                if scanner.peek == UInt8(ascii: "n") {
                    try scanner.literal("null")
                    headers.append(name + ":")
                    return
                }
                guard scanner.peek == UInt8(ascii: "\"") else {
                    throw Problem("header \(JSONLine.quoted(name)) must have a string value (or null to remove it)")
                }
                let value = try scanner.string(decoding: true) ?? ""
                guard !value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) else {
                    throw Problem("header \(JSONLine.quoted(name)) has a line break or NUL in its value")
                }
                headers.append(value.isEmpty ? name + ";" : name + ": " + value)
            }
            return headers
        }

        private mutating func value(depth: Int) throws {
            guard depth <= JSONLine.maximumDepth else { throw Problem("nested deeper than \(JSONLine.maximumDepth) levels") }
            switch peek {
            case UInt8(ascii: "{")?:
                try object(depth: depth) { _, scanner in try scanner.value(depth: depth + 1) }
            case UInt8(ascii: "[")?:
                index += 1
                skipSpace()
                if peek == UInt8(ascii: "]") {
                    index += 1
                    return
                }
                while true {
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    switch peek {
                    case UInt8(ascii: ",")?: index += 1
                    case UInt8(ascii: "]")?:
                        index += 1
                        return
                    default: throw syntax("expected ',' or ']'")
                    }
                }
            case UInt8(ascii: "\"")?:
                _ = try string(decoding: false)
            case UInt8(ascii: "t")?: try literal("true")
            case UInt8(ascii: "f")?: try literal("false")
            case UInt8(ascii: "n")?: try literal("null")
            case let byte? where byte == UInt8(ascii: "-") || isDigit(byte):
                try number()
            default:
                throw syntax("expected a value")
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let text = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard bytes[index...].starts(with: text) else { throw syntax("expected a value") }
            index += text.count
        }

        private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        private mutating func number() throws {
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, isDigit(first) else { throw syntax("expected a digit") }
            index += 1
            if first != UInt8(ascii: "0") {
                while let byte = peek, isDigit(byte) { index += 1 }
            }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard let byte = peek, isDigit(byte) else { throw syntax("expected a digit after '.'") }
                while let byte = peek, isDigit(byte) { index += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard let byte = peek, isDigit(byte) else { throw syntax("expected a digit in the exponent") }
                while let byte = peek, isDigit(byte) { index += 1 }
            }
        }

        /// A string, from its opening quote; its decoded text when `decoding` (a lone surrogate
        /// escape can't be text, and is refused then), else nil.
        private mutating func string(decoding: Bool) throws -> String? {
            index += 1  // "
            var decoded: [UInt8] = []
            var pendingHigh: UInt32?
            while true {
                guard let byte = peek else { throw syntax("unterminated string") }
                if byte != UInt8(ascii: "\\"), pendingHigh != nil {
                    if decoding { throw syntax("a lone surrogate escape") }
                    pendingHigh = nil
                }
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return decoding ? String(decoding: decoded, as: UTF8.self) : nil
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let escaped = peek else { throw syntax("unterminated string") }
                    index += 1
                    if escaped != UInt8(ascii: "u"), pendingHigh != nil {
                        if decoding { throw syntax("a lone surrogate escape") }
                        pendingHigh = nil
                    }
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
                    case UInt8(ascii: "b"): decoded.append(0x08)
                    case UInt8(ascii: "f"): decoded.append(0x0C)
                    case UInt8(ascii: "n"): decoded.append(0x0A)
                    case UInt8(ascii: "r"): decoded.append(0x0D)
                    case UInt8(ascii: "t"): decoded.append(0x09)
                    case UInt8(ascii: "u"):
                        let unit = try hex4()
                        switch (unit, pendingHigh) {
                        case (0xD800...0xDBFF, nil):
                            pendingHigh = unit
                        case (0xDC00...0xDFFF, let high?):
                            pendingHigh = nil
                            append(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), to: &decoded)
                        case (0xD800...0xDFFF, _):
                            // Valid JSON grammar, but not text: fine to skip, not to decode.
                            if decoding { throw syntax("a lone surrogate escape") }
                            pendingHigh = nil
                        case (_, nil):
                            append(unit, to: &decoded)
                        case (_, _?):
                            if decoding { throw syntax("a lone surrogate escape") }
                            pendingHigh = nil
                        }
                    default:
                        throw syntax("invalid escape")
                    }
                case 0..<0x20:
                    throw syntax("a control character in a string")
                default:
                    decoded.append(byte)
                    index += 1
                }
                if !decoding { decoded.removeAll(keepingCapacity: true) }
            }
        }

        private mutating func hex4() throws -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = peek else { throw syntax("unterminated string") }
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 0x30
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 0x61 + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 0x41 + 10
                default: throw syntax("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        private func append(_ scalar: UInt32, to bytes: inout [UInt8]) {
            guard let scalar = Unicode.Scalar(scalar) else { return }
            bytes.append(contentsOf: UTF8.encode(scalar)!)
        }
    }
}
