import Foundation
import Testing
@testable import ParFetch

@Suite("JSON Lines encoder")
struct JSONLineEncoderTests {
    func encode(_ record: Record) -> String {
        var bytes: [UInt8] = []
        JSONLineEncoder.encode(record, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func fetchedRecordHasKeysInContractOrder() {
        let response = Response(
            url: "http://a.test/", finalURL: "http://a.test/b", status: 200, contentType: "text/html",
            bytes: 5120, httpVersion: "2", redirects: 1,
            timing: Timing(total: 123_456, dns: 1_000, connect: 4_000, tls: 20_000, firstByte: 110_000))
        let item = ListItem(line: 3, text: "http://a.test/", target: .success(CheckedURL.valid("http://a.test/")))
        #expect(encode(Record(item: item, response: response)) == """
            {"line":3,"url":"http://a.test/","final_url":"http://a.test/b","status":200,"ok":true,\
            "content_type":"text/html","bytes":5120,"http_version":"2","redirects":1,"attempts":1,\
            "time":{"total":0.123456,"dns":0.001000,"connect":0.004000,"tls":0.020000,"ttfb":0.110000}}

            """)
    }

    @Test func savedComesAfterExtractAndBeforeError() {
        let item = ListItem(line: 1, text: "http://a.test/", target: .success(CheckedURL.valid("http://a.test/")))
        var record = Record(item: item, response: Response(url: "http://a.test/", status: 200, bytes: 1))
        var page = PageData()
        page.extract = [PageData.Extracted(name: "p", values: ["1"])]
        record.page = page
        record.saved = "a.test/0123456789abcdef.html"
        #expect(encode(record).hasSuffix(#""links":[],"extract":{"p":["1"]},"saved":"a.test/0123456789abcdef.html"}\#n"#))
        record.error = FetchError(.other, "save failed: x")
        record.saved = nil
        #expect(encode(record).hasSuffix(#""extract":{"p":["1"]},"error":{"kind":"other","message":"save failed: x"}}\#n"#))
        record.page = nil
        record.saved = "a.test/0123456789abcdef.bin"
        #expect(encode(record).hasSuffix(#""redirects":0,"attempts":1,"saved":"a.test/0123456789abcdef.bin","error":{"kind":"other","message":"save failed: x"}}\#n"#))
    }

    @Test func unfetchedRecordLeavesOutWhatIsUnknown() {
        let item = ListItem(line: 7, text: "ftp://x", target: .failure(FetchError(.unsupportedScheme, "no")))
        #expect(encode(Record(item: item, error: FetchError(.unsupportedScheme, "no"))) == """
            {"line":7,"url":"ftp://x","ok":false,"attempts":0,"error":{"kind":"unsupported_scheme","message":"no"}}

            """)
    }

    @Test func escapesPerRFC8259AndStaysParseable() throws {
        let nasty = "quote\" backslash\\ newline\n tab\t cr\r nul\u{0} bell\u{7} unicode é 日本 🎉 \u{2028}"
        let item = ListItem(line: 1, text: nasty, target: .success(CheckedURL.valid("http://a.test/")))
        let line = encode(Record(item: item, error: FetchError(.other, nasty)))
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        #expect(line.contains(#"quote\" backslash\\ newline\n tab\t cr\r nul\u0000 bell\u0007"#))
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["url"] as? String == nasty)
    }
}
