/// Reading `name=value` pairs out of a URI's query.
enum QueryString {
    /// The query's parameters, percent-decoded; the first occurrence of a name wins.
    /// A pair whose escapes are malformed is left out.
    ///
    /// `+` is kept as is (RFC 3986 decoding, not HTML-form decoding) because `/redirect-to?url=`
    /// carries URLs, in which `+` is an ordinary character.
    static func parameters(_ query: Substring) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let nameAndValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(nameAndValue[0]) else { continue }
            let value = nameAndValue.count > 1 ? percentDecode(nameAndValue[1]) : ""
            if let value, result[name] == nil {
                result[name] = value
            }
        }
        return result
    }

    /// Decodes `%XX` escapes; nil if an escape is malformed or the result is not UTF-8.
    static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
