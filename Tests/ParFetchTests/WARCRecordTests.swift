import CZlib
import Foundation
import Testing
@testable import ParFetch

@Suite("WARC records and torn tails")
struct WARCRecordTests {
    /// RFC 4648's test vectors.
    @Test(arguments: [("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="), ("foob", "MZXW6YQ="),
                      ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======")])
    func base32(input: String, output: String) {
        #expect(WARCRecord.base32(Array(input.utf8)) == output)
    }

    @Test func sha1DigestIsBase32AsWARCToolsWriteIt() {
        // SHA-1 of "abc" is a9993e36…, which Python's base64.b32encode writes as below.
        #expect(WARCRecord.sha1("abc".utf8) == "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5")
    }

    @Test func datesAreUTCToTheMicrosecond() {
        #expect(WARCRecord.dateString(timespec(tv_sec: 0, tv_nsec: 5_000)) == "1970-01-01T00:00:00.000005Z")
        #expect(WARCRecord.dateString(timespec(tv_sec: 1_796_418_245, tv_nsec: 123_456_789)) == "2026-12-04T21:04:05.123456Z")
    }

    @Test func recordIDsAreVersion4UUIDs() {
        let id = WARCRecord.newRecordID()
        #expect(id.hasPrefix("<urn:uuid:") && id.hasSuffix(">"))
        let uuid = id.dropFirst(10).dropLast()
        #expect(uuid.count == 36)
        #expect(uuid[uuid.index(uuid.startIndex, offsetBy: 14)] == "4")
        #expect(WARCRecord.newRecordID() != id)
    }

    /// A capture of two exchanges (a redirect and its target): request and response records in
    /// order, each pair pointing at each other, with the block and payload digests of the bytes.
    @Test func aCaptureIsARequestAndAResponseRecordPerExchange() throws {
        let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".utf8)
        var redirect = HTTPCapture.Exchange(targetURI: "http://a.test/old", ipAddress: "127.0.0.1", date: timespec(tv_sec: 0, tv_nsec: 0))
        redirect.request = Array("GET /old HTTP/1.1\r\nHost: a.test\r\n\r\n".utf8)
        redirect.response = Array("HTTP/1.1 301 Moved\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n".utf8)
        redirect.responseHeadLength = redirect.response.count
        var final = HTTPCapture.Exchange(targetURI: "http://a.test/new", ipAddress: "127.0.0.1", date: timespec(tv_sec: 1, tv_nsec: 0))
        final.request = Array("GET /new HTTP/1.1\r\nHost: a.test\r\n\r\n".utf8)
        final.response = head + Array("hello".utf8)
        final.responseHeadLength = head.count
        final.truncated = .length
        let encoded = WARCRecord.encode(HTTPCapture(exchanges: [redirect, final]), compressor: nil)
        let text = String(decoding: encoded.bytes, as: UTF8.self)
        let records = text.components(separatedBy: "WARC/1.1\r\n").dropFirst()
        #expect(records.count == 4)
        let types = records.map { $0.components(separatedBy: "\r\n").first { $0.hasPrefix("WARC-Type: ") } }
        #expect(types == ["WARC-Type: request", "WARC-Type: response", "WARC-Type: request", "WARC-Type: response"])
        let last = String(decoding: encoded.bytes[encoded.finalResponse], as: UTF8.self)
        #expect(last.hasPrefix("WARC/1.1\r\nWARC-Type: response\r\n"))
        #expect(last.contains("WARC-Target-URI: http://a.test/new\r\n"))
        #expect(last.contains("WARC-Truncated: length\r\n"))
        #expect(last.contains("WARC-Block-Digest: \(WARCRecord.sha1(final.response))\r\n"))
        #expect(last.contains("WARC-Payload-Digest: \(WARCRecord.sha1("hello".utf8))\r\n"))
        #expect(last.contains("Content-Length: \(final.response.count)\r\n"))
        #expect(last.hasSuffix("hello\r\n\r\n"))
        #expect(!records.first!.contains("WARC-Truncated"))
        // Each pair's records name each other.
        func field(_ record: String, _ name: String) -> String? {
            record.components(separatedBy: "\r\n").first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
        }
        let list = Array(records)
        #expect(field(list[0], "WARC-Concurrent-To") == field(list[1], "WARC-Record-ID"))
        #expect(field(list[1], "WARC-Concurrent-To") == field(list[0], "WARC-Record-ID"))
        #expect(field(list[0], "WARC-Date") == field(list[1], "WARC-Date"))
    }

    @Test func gzipRecordsAreOneMemberEach() throws {
        let record = WARCRecord.record([WARCField("WARC-Type", "resource")], block: Array("x".utf8), compressor: nil)
        let compressor = GzipCompressor()
        let member = compressor.compress(record)
        // The same stream again gives the same member: nothing of the first is left in it.
        #expect(compressor.compress(record) == member)
        #expect(member.starts(with: [0x1F, 0x8B]))
        #expect(try Self.scan(member + member, gzip: true) == Int64(2 * member.count))
    }

    static func scan(_ file: [UInt8], gzip: Bool) throws -> Int64 {
        try WARCTail.wholeLength(gzip: gzip) { offset, buffer in
            guard offset < file.count else { return 0 }
            let count = min(buffer.count, file.count - Int(offset))
            file.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[Int(offset)..<(Int(offset) + count)])) }
            return count
        }
    }

    /// What a crash can leave: whole records, then part of one. The scan keeps the whole ones,
    /// at every cut, in both forms.
    @Test(arguments: [false, true])
    func theTornTailIsCutAtEveryLength(gzip: Bool) throws {
        let records = (0..<3).map {
            WARCRecord.record([WARCField("WARC-Type", "resource"), WARCField("WARC-Record-ID", "<urn:uuid:\($0)>")],
                              block: Array(String(repeating: "block \($0) ", count: 40).utf8), compressor: gzip ? GzipCompressor() : nil)
        }
        let file = records.joined().map { $0 }
        let ends = records.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        for cut in 0...file.count {
            let expected = ends.last { $0 <= cut }!
            #expect(try Self.scan(Array(file[..<cut]), gzip: gzip) == Int64(expected), "cut at \(cut)")
        }
    }

    @Test func aFileThatIsNotWARCIsRefusedNotCut() {
        #expect(throws: WARCTail.NotWARC.self) { try Self.scan(Array("my notes\n".utf8), gzip: false) }
        #expect(throws: WARCTail.NotWARC.self) { try Self.scan(Array("my notes\n".utf8), gzip: true) }
        #expect(throws: WARCTail.NotWARC.self) { try Self.scan(Array("WARX".utf8), gzip: false) }
        #expect((try? Self.scan(Array("WAR".utf8), gzip: false)) == 0)
        #expect((try? Self.scan([0x1F], gzip: true)) == 0)
        #expect((try? Self.scan([], gzip: true)) == 0)
    }

    /// Writing, rotating and resuming through the writer itself: a torn tail appended by hand
    /// is cut and said so, and the file then scans whole.
    @Test func theWriterCutsATornTailWhenResuming() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parfetch-\(UUID().uuidString).warc.gz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try WARCWriter(path: path)
        try first.close()
        let whole = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(GzipCompressor().compress(Array("WARC/1.1\r\nhalf".utf8)).prefix(12)))
        try handle.close()
        let resumed = try WARCWriter(path: path, resuming: true)
        #expect(resumed.tornBytesCut == 12)
        try resumed.close()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count > whole)
        #expect(try Self.scan(bytes, gzip: true) == Int64(bytes.count))
    }
}
