/// Reference resolution for the plain cases, in Swift, producing exactly what libcurl's URL
/// API produces for them (a test checks that on every fixture link and a table of tricky
/// ones). Through libcurl a link costs about 4.5 µs (parsing, copying and re-serialising the
/// whole URL): 90 % of a page's parse time on a page of 500 links, and far below selectolax's
/// throughput. Anything not plainly ASCII and well-formed returns nil and goes to libcurl.
struct FastResolution {
    /// The base, split once per page: "scheme://authority", its path and its query.
    private let origin: [UInt8]
    private let path: [UInt8]
    private let scheme: [UInt8]

    /// From the parts libcurl parsed out of the base URL; nil if the base has user info or
    /// anything else this does not reproduce. That includes a path starting with "//": libcurl
    /// resolves "a" against "//s.html" to "/a", not RFC 3986's "//a".
    init?(scheme: String, host: String, port: String?, path: String, hasUserInfo: Bool) {
        guard !hasUserInfo, scheme == "http" || scheme == "https",
              host.utf8.allSatisfy({ Self.isHostByte($0) }), path.utf8.first == UInt8(ascii: "/"),
              !path.utf8.dropFirst().starts(with: [UInt8(ascii: "/")]) else { return nil }
        self.scheme = Array(scheme.utf8)
        origin = Array("\(scheme)://\(host.lowercased())\(port.map { ":" + $0 } ?? "")".utf8)
        self.path = Array(path.utf8)
    }

    /// `reference` resolved, without fragment; nil when libcurl must decide.
    func resolve(_ reference: String) -> String? {
        var reference = reference
        return reference.withUTF8 { resolve(bytes: $0) }
    }

    private typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    private func resolve(bytes all: UnsafeBufferPointer<UInt8>) -> String? {
        let slash = UInt8(ascii: "/")
        let fragment = all.firstIndex(of: UInt8(ascii: "#")) ?? all.endIndex
        let reference = all[..<fragment]
        // The fragment is dropped, but libcurl refuses the whole reference if it has a control
        // character there (a tab, or the newline of an href left unclosed), or, in an absolute
        // URL, a space: those go to libcurl.
        guard !reference.isEmpty, reference.allSatisfy(Self.isPlainByte),
              !all[fragment...].contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(origin.count + path.count + reference.count + 8)
        if let afterScheme = Self.dropHTTPScheme(reference) {
            guard afterScheme.starts(with: [slash, slash]) else { return nil }
            output.append(contentsOf: reference[..<(afterScheme.startIndex - 1)].lazy.map(Self.lower))
            return absolute(into: &output, afterSlashes: afterScheme.dropFirst(2))
        }
        if reference.starts(with: [slash, slash]) {
            output += scheme
            return absolute(into: &output, afterSlashes: reference.dropFirst(2))
        }
        // libcurl takes any run of letters, digits, "+-." before a colon as a scheme, even one
        // RFC 3986 would not ("+ttps://x", "9:x": refused as unsupported); a colon in the first
        // segment is left to it.
        guard !reference.prefix(while: { $0 != slash && $0 != UInt8(ascii: "?") }).contains(UInt8(ascii: ":")) else {
            return nil
        }
        output += origin
        if reference.first == UInt8(ascii: "?") {
            guard reference.count > 1 else { return nil }
            output += path
            output.append(contentsOf: reference)
        } else {
            // libcurl joins a relative path with "//" in it its own way (".//x" against /a/b
            // gives /a/x, "..//x" /x): left to it.
            // So is a path of only "./" and "../" before a query: libcurl strips those and then
            // treats the rest as a bare "?query" on the base's directory without its last slash
            // ("./?q" against /a/b/ gives /a/b?q, RFC 3986 /a/b/?q).
            guard let (relative, query) = Self.splitQuery(reference),
                  !zip(relative, relative.dropFirst()).contains(where: { $0 == slash && $1 == slash }),
                  query.isEmpty || relative.last != slash
                      || !relative.allSatisfy({ $0 == slash || $0 == UInt8(ascii: ".") })
            else { return nil }
            let pathStart = output.count
            if relative.first != slash {
                output += path[...(path.lastIndex(of: slash) ?? 0)]
            }
            output.append(contentsOf: relative)
            Self.removeDotSegments(&output, from: pathStart)
            output.append(contentsOf: query)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The rest of an `http://` or `https://` reference after `//`, appended to the scheme
    /// in `output`: host lower-cased, path defaulted and normalised.
    private func absolute(into output: inout [UInt8], afterSlashes rest: Bytes) -> String? {
        let end = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let authority = rest[..<end]
        var host = authority
        var port = authority[authority.endIndex...]
        if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            host = authority[..<colon]
            port = authority[colon...]
            // libcurl rewrites ports ("080" → "80") and rejects big ones: leave those to it.
            let digits = port.dropFirst()
            guard (1...5).contains(digits.count), digits.first != UInt8(ascii: "0") || digits.count == 1,
                  digits.allSatisfy({ (0x30...0x39).contains($0) }), Int(String(decoding: digits, as: UTF8.self))! <= 65535
            else { return nil }
        }
        guard !host.isEmpty, host.allSatisfy(Self.isHostByte), Self.isPlainHost(host) else { return nil }
        output += "://".utf8
        output.append(contentsOf: host.lazy.map(Self.lower))
        output.append(contentsOf: port)
        let remainder = rest[end...]
        if remainder.first == UInt8(ascii: "/") {
            guard let (path, query) = Self.splitQuery(remainder) else { return nil }
            let pathStart = output.count
            output.append(contentsOf: path)
            Self.removeDotSegments(&output, from: pathStart)
            output.append(contentsOf: query)
        } else {
            guard remainder.isEmpty || remainder.count > 1 else { return nil }
            output.append(UInt8(ascii: "/"))
            output.append(contentsOf: remainder)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Path and "?query"; nil for an empty query, whose handling is libcurl's business.
    private static func splitQuery(_ bytes: Bytes) -> (Bytes, Bytes)? {
        guard let mark = bytes.firstIndex(of: UInt8(ascii: "?")) else { return (bytes, bytes[bytes.endIndex...]) }
        guard mark + 1 < bytes.endIndex else { return nil }
        return (bytes[..<mark], bytes[mark...])
    }

    /// Normalises the absolute path at `output[start...]` in place, if it has dot segments.
    private static func removeDotSegments(_ output: inout [UInt8], from start: Int) {
        guard hasDotSegment(output[start...]) else { return }
        let normalised = removingDotSegments(output[start...])
        output.replaceSubrange(start..., with: normalised)
    }

    /// Whether a path has a "." or ".." segment (a dot in a file name is no reason to rewrite).
    private static func hasDotSegment(_ path: ArraySlice<UInt8>) -> Bool {
        let dot = UInt8(ascii: "."), slash = UInt8(ascii: "/")
        var index = path.startIndex
        while let found = path[index...].firstIndex(of: dot) {
            let afterDots = found + 1 < path.endIndex && path[found + 1] == dot ? found + 2 : found + 1
            if found > path.startIndex, path[found - 1] == slash,
               afterDots == path.endIndex || path[afterDots] == slash {
                return true
            }
            index = found + 1
        }
        return false
    }

    /// RFC 3986 section 5.2.4, on an absolute path.
    static func removingDotSegments(_ path: ArraySlice<UInt8>) -> [UInt8] {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        guard path.contains(dot) else { return Array(path) }
        var segments: [ArraySlice<UInt8>] = []
        let parts = path.split(separator: slash, omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in parts.enumerated() {
            let last = index == parts.count - 1
            if segment.elementsEqual([dot]) {
                if last { segments.append([]) }
            } else if segment.elementsEqual([dot, dot]) {
                if !segments.isEmpty { segments.removeLast() }
                if last { segments.append([]) }
            } else {
                segments.append(segment)
            }
        }
        var output: [UInt8] = []
        for segment in segments {
            output.append(slash)
            output += segment
        }
        return output.isEmpty ? [slash] : output
    }

    /// The bytes after "http:" or "https:" (any case), or nil.
    private static func dropHTTPScheme(_ bytes: Bytes) -> Bytes? {
        var index = bytes.startIndex
        for letter in "http".utf8 {
            guard index < bytes.endIndex, lower(bytes[index]) == letter else { return nil }
            index += 1
        }
        if index < bytes.endIndex, lower(bytes[index]) == UInt8(ascii: "s") { index += 1 }
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: ":") else { return nil }
        return bytes[(index + 1)...]
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }

    /// Printable ASCII that needs no escaping or special treatment by libcurl.
    private static func isPlainByte(_ byte: UInt8) -> Bool {
        guard (0x21...0x7E).contains(byte) else { return false }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"), UInt8(ascii: "^"),
             UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "["),
             UInt8(ascii: "]"), UInt8(ascii: "@"):
            return false
        default:
            return true
        }
    }

    /// A host libcurl leaves as it is: a name starting with a letter, or a dotted-decimal IPv4
    /// address in canonical form (libcurl rewrites "0x7f.1", "2130706433" or "010.0.0.1").
    private static func isPlainHost(_ host: Bytes) -> Bool {
        guard let first = host.first, (0x30...0x39).contains(first) else { return true }
        let parts = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            (1...3).contains(part.count) && part.allSatisfy { (0x30...0x39).contains($0) }
                && (part.count == 1 || part.first != UInt8(ascii: "0"))
                && Int(String(decoding: part, as: UTF8.self))! <= 255
        }
    }

    /// Letters, digits, '-' and '.': a plain DNS name or IPv4 address.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }
}
