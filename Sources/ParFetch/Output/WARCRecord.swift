#if canImport(Glibc)
import Glibc
#endif

/// A field of a record's WARC header, or of a `warcinfo` record's body.
public struct WARCField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A capture's WARC records, encoded (and gzipped, a record a member) on a parse worker, for the
/// record writer to append.
struct EncodedCapture: Sendable {
    var bytes: [UInt8]
    /// Where the final response's record lies in `bytes`: what the JSON record points at.
    var finalResponse: Range<Int>
}

/// WARC 1.1 records (ISO 28500:2017): a request and a response record for each HTTP exchange,
/// and the `warcinfo` record that opens each file.
enum WARCRecord {
    static let version = "WARC/1.1"

    /// The records of every exchange in `capture`: request then response, each pair
    /// `WARC-Concurrent-To` the other, with the same `WARC-Date`; each a gzip member of its
    /// own through `compressor`, when given.
    static func encode(_ capture: HTTPCapture, compressor: GzipCompressor?) -> EncodedCapture {
        var bytes: [UInt8] = []
        var finalResponse = 0..<0
        for exchange in capture.exchanges {
            let requestID = newRecordID()
            let responseID = newRecordID()
            let date = dateString(exchange.date)
            // Secrets go here, on a parse worker, not on the loop that captured the bytes.
            let target = URLCheck.redactingPassword(exchange.targetURI)
            let request = exchange.request.withUnsafeBytes { bytes in
                RequestHead.redactingCredentials(UnsafeRawBufferPointer(rebasing: bytes[..<exchange.requestHeadLength]))
                    + bytes[exchange.requestHeadLength...]
            }
            var common = [WARCField("WARC-Date", date), WARCField("WARC-Target-URI", target)]
            if let ip = exchange.ipAddress, !ip.isEmpty { common.append(WARCField("WARC-IP-Address", ip)) }

            var responseFields = [WARCField("WARC-Type", "response"), WARCField("WARC-Record-ID", responseID)] + common
            responseFields.append(WARCField("WARC-Concurrent-To", requestID))
            responseFields.append(WARCField("WARC-Block-Digest", sha1(exchange.response)))
            responseFields.append(WARCField("WARC-Payload-Digest", sha1(exchange.responseBody)))
            if let truncated = exchange.truncated {
                responseFields.append(WARCField("WARC-Truncated", truncated.rawValue))
            }
            responseFields.append(WARCField("Content-Type", "application/http;msgtype=response"))

            var requestFields = [WARCField("WARC-Type", "request"), WARCField("WARC-Record-ID", requestID)] + common
            requestFields.append(WARCField("WARC-Concurrent-To", responseID))
            requestFields.append(WARCField("WARC-Block-Digest", sha1(request)))
            requestFields.append(WARCField("Content-Type", "application/http;msgtype=request"))

            bytes += record(requestFields, block: request, compressor: compressor)
            let start = bytes.count
            bytes += record(responseFields, block: exchange.response, compressor: compressor)
            finalResponse = start..<bytes.count
        }
        return EncodedCapture(bytes: bytes, finalResponse: finalResponse)
    }

    /// The `warcinfo` record that opens file `filename`: `fields` as its body.
    static func warcinfo(filename: String, fields: [WARCField], compressor: GzipCompressor?) -> [UInt8] {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var body: [UInt8] = []
        for field in fields { appendField(field, to: &body) }
        return record([
            WARCField("WARC-Type", "warcinfo"), WARCField("WARC-Record-ID", newRecordID()),
            WARCField("WARC-Date", dateString(now)), WARCField("WARC-Filename", filename),
            WARCField("Content-Type", "application/warc-fields"),
        ], block: body, compressor: compressor)
    }

    /// One record: version line, `fields`, Content-Length, a blank line, the block and the two
    /// line ends that close a record; a gzip member of it all through `compressor`, if given.
    static func record(_ fields: [WARCField], block: some Collection<UInt8>, compressor: GzipCompressor?) -> [UInt8] {
        var bytes = Array(version.utf8) + [0x0D, 0x0A]
        for field in fields { appendField(field, to: &bytes) }
        appendField(WARCField("Content-Length", String(block.count)), to: &bytes)
        bytes += [0x0D, 0x0A]
        bytes.append(contentsOf: block)
        bytes += [0x0D, 0x0A, 0x0D, 0x0A]
        return compressor?.compress(bytes) ?? bytes
    }

    /// `Name: value` and a line end; line ends in a value (there are none in what we write,
    /// but a value from the command line could hold one) become spaces, which keeps the header
    /// parseable.
    private static func appendField(_ field: WARCField, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: field.name.utf8)
        bytes += [UInt8(ascii: ":"), UInt8(ascii: " ")]
        for byte in field.value.utf8 {
            bytes.append(byte == 0x0D || byte == 0x0A ? UInt8(ascii: " ") : byte)
        }
        bytes += [0x0D, 0x0A]
    }

    /// `<urn:uuid:…>` of a random (version 4) UUID.
    static func newRecordID() -> String {
        // Two draws (a getrandom call each), not one a byte.
        var generator = SystemRandomNumberGenerator()
        let (high, low) = (generator.next(), generator.next())
        var bytes = (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? high : low) >> (8 * UInt64($0 % 8))) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Array("0123456789abcdef".utf8)
        var text = Array("<urn:uuid:".utf8)
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { text.append(UInt8(ascii: "-")) }
            text += [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
        }
        text.append(UInt8(ascii: ">"))
        return String(decoding: text, as: UTF8.self)
    }

    /// `2026-12-04T21:04:05.123456Z`: UTC, to the microsecond (WARC 1.1 allows a fraction).
    static func dateString(_ time: timespec) -> String {
        var seconds = time.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ count: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, count - text.count)) + text
        }
        return "\(digits(Int(parts.tm_year) + 1900, 4))-\(digits(Int(parts.tm_mon) + 1, 2))-\(digits(Int(parts.tm_mday), 2))"
            + "T\(digits(Int(parts.tm_hour), 2)):\(digits(Int(parts.tm_min), 2)):\(digits(Int(parts.tm_sec), 2))"
            + ".\(digits(time.tv_nsec / 1000, 6))Z"
    }

    /// `sha1:` and the digest in Base32 (RFC 4648), as WARC tools write it.
    static func sha1(_ bytes: some Sequence<UInt8>) -> String {
        "sha1:" + base32(Digest.of(bytes, .sha1))
    }

    /// RFC 4648 Base32, upper case, padded (a SHA-1 digest's 20 bytes need no padding).
    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
        var text: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                text.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { text.append(alphabet[(buffer << (5 - bits)) & 31]) }
        while text.count % 8 != 0 { text.append(UInt8(ascii: "=")) }
        return String(decoding: text, as: UTF8.self)
    }
}
