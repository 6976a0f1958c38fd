import Foundation
import Testing
@testable import ParFetch

extension RecordField {
    /// The field `name` names (not `extract.NAME`), found as `--fields` finds it.
    static func named(_ name: String) -> RecordField {
        RecordSchema.fields.first { $0.name == name }!
    }
}

@Suite("Record formats")
struct RecordFormatTests {
    /// A fetched HTML page with every field, two rules and plain HTTP (no `tls`).
    static var page: Record {
        let response = Response(
            url: "http://a.test/", finalURL: "http://a.test/b", status: 200, contentType: "text/html",
            bytes: 5120, httpVersion: "1.1", redirects: 1,
            timing: Timing(total: 123_456, dns: 1_000, connect: 4_000, tls: nil, firstByte: 110_000))
        var record = Record(item: ListItem(line: 3, text: "http://a.test/", target: .success(CheckedURL.valid("http://a.test/"))),
                            response: response)
        var page = PageData()
        page.title = "Fish, \"chips\""
        page.lang = "en"
        page.links = ["http://a.test/1", "http://a.test/2,3"]
        page.extract = [.init(name: "price", values: ["9.99", "1.50"]), .init(name: "sku", values: [])]
        record.page = page
        return record
    }

    static var failed: Record {
        Record(item: ListItem(line: 7, text: "ftp://x", target: .failure(FetchError(.unsupportedScheme, "no"))),
               error: FetchError(.unsupportedScheme, "no"))
    }

    static let rules = ["price", "sku"]

    func encode(_ record: Record, _ format: RecordFormat) -> String {
        var bytes: [UInt8] = []
        format.encode(record, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func csv(_ fields: String) throws -> RecordFormat {
        .csv(fields: try RecordField.list(fields, ruleNames: Self.rules), ruleNames: Self.rules)
    }

    func json(_ fields: String) throws -> RecordFormat {
        .jsonLines(fields: try RecordField.list(fields, ruleNames: Self.rules))
    }

    // MARK: CSV

    @Test(arguments: [
        ("plain", "plain"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("carriage\rreturn", "\"carriage\rreturn\""),
        ("crlf\r\n", "\"crlf\r\n\""),
        ("", "\"\""),
        ("nul\u{0}byte", "nul\u{FFFD}byte"),
        ("=1+2", "=1+2"),
        ("@sum", "@sum"),
        (" spaces kept ", " spaces kept "),
        ("é 日本 🎉", "é 日本 🎉"),
    ])
    func csvCellsAreQuotedOnlyWhenNeeded(value: String, cell: String) {
        var bytes: [UInt8] = []
        CSVLineEncoder.appendCell(value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == cell)
    }

    @Test(arguments: [
        ([String](), "\"\""),
        ([""], "\"\""),
        (["a"], "a"),
        (["a", "b"], "a | b"),
        (["a", "b,c"], "\"a | b,c\""),
        (["x\"y", "z"], "\"x\"\"y | z\""),
    ])
    func csvListsAreJoined(values: [String], cell: String) {
        var bytes: [UInt8] = []
        CSVLineEncoder.appendCell(joining: values, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == cell)
    }

    @Test func csvHeaderNamesTheColumnsWithCRLF() throws {
        #expect(String(decoding: try csv("url,time,extract,error").header, as: UTF8.self)
            == "url,time.total,time.dns,time.connect,time.tls,time.ttfb,extract.price,extract.sku,error.kind,error.message\r\n")
        // A rule name is the user's: quoted like any cell.
        let odd = RecordFormat.csv(fields: [.named("extract")], ruleNames: ["a,b"])
        #expect(String(decoding: odd.header, as: UTF8.self) == "\"extract.a,b\"\r\n")
        #expect(RecordFormat.jsonLines.header.isEmpty)
    }

    @Test func csvRowsFlattenTheRecord() throws {
        let format = try csv("line,url,status,ok,bytes,time,title,description,links,links_count,extract,error")
        #expect(encode(Self.page, format) == #"3,http://a.test/,200,true,5120,0.123456,0.001000,0.004000,,0.110000,"#
            + #""Fish, ""chips""",,"http://a.test/1 | http://a.test/2,3",2,9.99 | 1.50,"",,"# + "\r\n")
        // Absent values (no response, no page, no timing) are empty cells.
        #expect(encode(Self.failed, format) == "7,ftp://x,,false,,,,,,,,,,,,,unsupported_scheme,no\r\n")
    }

    @Test func csvDefaultColumns() {
        #expect(RecordField.defaultColumns(ruleNames: Self.rules, dedupe: false).map(\.name) == [
            "line", "url", "final_url", "status", "ok", "content_type", "bytes", "http_version", "redirects",
            "attempts", "time.total", "time.dns", "time.connect", "time.tls", "time.ttfb", "title", "description",
            "lang", "canonical", "links_count", "extract.price", "extract.sku", "error.kind", "error.message",
        ])
        let deduped = RecordField.defaultColumns(ruleNames: [], dedupe: true).map(\.name)
        #expect(deduped[9...11] == ["attempts", "duplicate_of", "time.total"])
        #expect(!deduped.contains { $0.hasPrefix("extract") })
    }

    @Test func csvRowsParseBackWithTheirValues() throws {
        // Every cell of a row, read back as RFC 4180 says, is the value that was written.
        var record = Self.page
        record.page?.title = "line one,\r\nline \"two\"\n\n"
        record.error = FetchError(.other, "a, b\n\"c\"")
        let format = try csv("title,error.message,url")
        #expect(Self.parseCSV(encode(record, format)) == [[
            "line one,\r\nline \"two\"\n\n", "a, b\n\"c\"", "http://a.test/",
        ]])
    }

    /// A strict RFC 4180 reader, for the round trip.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var characters = Array(text.unicodeScalars)[...]
        while let scalar = characters.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if characters.first == "\"" {
                        characters.removeFirst()
                        cell.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                    }
                } else {
                    cell.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" {
                quoted = true
            } else if scalar == "," {
                row.append(cell)
                cell = ""
            } else if scalar == "\r" && characters.first == "\n" {
                characters.removeFirst()
                rows.append(row + [cell])
                row = []
                cell = ""
            } else {
                cell.unicodeScalars.append(scalar)
            }
        }
        return rows
    }

    // MARK: Field lists

    @Test(arguments: [
        ("bogus", "unknown field 'bogus'; valid fields: line, url, final_url,"),
        ("url,Status", "unknown field 'Status'; valid fields:"),
        ("extract.nope", "unknown field 'extract.nope': no --select or --xpath rule is named 'nope' (rules: price, sku)"),
        ("url,,status", "empty field name in 'url,,status'"),
        ("", "empty field name in ''"),
        ("url,url", "field 'url' is selected twice"),
        ("time,time.tls", "field 'time.tls' is selected twice"),
        ("extract.sku,extract", "field 'extract.sku' is selected twice"),
    ])
    func badFieldListsAreRefusedInOneLine(list: String, message: String) {
        let error = #expect(throws: RecordFieldError.self) { try RecordField.list(list, ruleNames: Self.rules) }
        #expect(error?.description.hasPrefix(message) == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func theMessageListsEveryName() throws {
        let error = try #require(throws: RecordFieldError.self) { try RecordField.list("bogus", ruleNames: []) }
        #expect(error.description == "unknown field 'bogus'; valid fields: line, url, final_url, status, ok, "
            + "content_type, bytes, http_version, redirects, attempts, not_modified, etag, last_modified, headers, "
            + "duplicate_of, depth, parent, meta, time, time.total, time.dns, "
            + "time.connect, time.tls, time.ttfb, title, description, lang, canonical, links, links_truncated, "
            + "links_count, extract, extract.NAME (NAME: a --select/--xpath name), saved, retry_after, warc, warc.file, warc.offset, warc.length, error, error.kind, error.message")
    }

    @Test func namesRoundTripAndSpacesAreIgnored() throws {
        let fields = try RecordField.list(" url , time.ttfb,extract.price ,error", ruleNames: Self.rules)
        #expect(fields == [.named("url"), .named("time.ttfb"), .extractRule("price"), .named("error")])
        #expect(fields.map(\.name) == ["url", "time.ttfb", "extract.price", "error"])
    }

    @Test func extractWithoutRulesSelectsNothing() {
        #expect(throws: RecordFieldError.self) { try RecordField.list("extract", ruleNames: []) }
        #expect((try? RecordField.list("url,extract", ruleNames: [])) == [.named("url"), .named("extract")])
    }

    // MARK: JSON Lines

    @Test func defaultJSONIsTheFullRecordUnchanged() {
        for record in [Self.page, Self.failed] {
            var expected: [UInt8] = []
            JSONLineEncoder.encode(record, into: &expected)
            #expect(encode(record, .jsonLines) == String(decoding: expected, as: UTF8.self))
        }
        #expect(encode(Self.page, .jsonLines) == #"{"line":3,"url":"http://a.test/","final_url":"http://a.test/b","status":200,"#
            + #""ok":true,"content_type":"text/html","bytes":5120,"http_version":"1.1","redirects":1,"attempts":1,"#
            + #""time":{"total":0.123456,"dns":0.001000,"connect":0.004000,"ttfb":0.110000},"#
            + #""title":"Fish, \"chips\"","lang":"en","links":["http://a.test/1","http://a.test/2,3"],"#
            + #""extract":{"price":["9.99","1.50"],"sku":[]}}"# + "\n")
    }

    @Test(arguments: [
        ("url,time.total,error.kind", #"{"url":"http://a.test/","time":{"total":0.123456}}"#,
         #"{"url":"ftp://x","error":{"kind":"unsupported_scheme"}}"#),
        ("error.kind,time.total,url", #"{"url":"http://a.test/","time":{"total":0.123456}}"#,
         #"{"url":"ftp://x","error":{"kind":"unsupported_scheme"}}"#),
        ("time,line", #"{"line":3,"time":{"total":0.123456,"dns":0.001000,"connect":0.004000,"ttfb":0.110000}}"#,
         #"{"line":7}"#),
        ("time.tls,ok", #"{"ok":true}"#, #"{"ok":false}"#),
        ("links_count,title,extract.sku", #"{"title":"Fish, \"chips\"","links_count":2,"extract":{"sku":[]}}"#,
         "{}"),
        ("extract,links", #"{"links":["http://a.test/1","http://a.test/2,3"],"extract":{"price":["9.99","1.50"],"sku":[]}}"#,
         "{}"),
        ("error", "{}", #"{"error":{"kind":"unsupported_scheme","message":"no"}}"#),
        ("error.message,attempts", #"{"attempts":1}"#, #"{"attempts":0,"error":{"message":"no"}}"#),
    ])
    func jsonSubsetsKeepTheRecordsShapeAndOrder(fields: String, page: String, failed: String) throws {
        let format = try json(fields)
        #expect(encode(Self.page, format) == page + "\n")
        #expect(encode(Self.failed, format) == failed + "\n")
        let object = try JSONSerialization.jsonObject(with: Data(encode(Self.page, format).utf8))
        #expect(object is [String: Any])
    }

    @Test func linksTruncatedFollowsLinksOnlyWhenTrue() throws {
        var record = Self.page
        record.page?.linksTruncated = true
        #expect(encode(record, .jsonLines).contains(#""links":["http://a.test/1","http://a.test/2,3"],"links_truncated":true,"extract""#))
        #expect(!encode(Self.page, .jsonLines).contains("links_truncated"))
        let subset = try json("links_count,links_truncated,links")
        #expect(encode(record, subset) == #"{"links":["http://a.test/1","http://a.test/2,3"],"links_truncated":true,"links_count":2}"# + "\n")
        #expect(encode(Self.page, subset) == #"{"links":["http://a.test/1","http://a.test/2,3"],"links_count":2}"# + "\n")
        let csv = try csv("url,links_truncated")
        #expect(encode(record, csv) == "http://a.test/,true\r\n")
        #expect(encode(Self.page, csv) == "http://a.test/,false\r\n")
        #expect(encode(Self.failed, csv) == "ftp://x,\r\n")
        // Not a default column: links_count says how many there are.
        #expect(!RecordField.defaultColumns(ruleNames: [], dedupe: false).contains(.named("links_truncated")))
    }

    // MARK: Writer

    @Test func theWriterWritesTheHeaderOnceAndNotWhenAppending() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parfetch-csv-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let format = try csv("line,url")
        for append in [false, true, true] {
            let writer = try RecordWriter(path: path, append: append, format: format)
            writer.submit(Self.failed)
            #expect(writer.close() == nil)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "line,url\r\n7,ftp://x\r\n7,ftp://x\r\n7,ftp://x\r\n")

        // An empty run still has its header; appending to an empty file writes it too.
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(try RecordWriter(path: path, append: true, format: format).close() == nil)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "line,url\r\n")
    }
}
