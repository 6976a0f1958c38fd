import Foundation
import Testing
@testable import ParFetch

/// `CompletedLines.load`, the reader behind `--resume`, on files written by hand.
@Suite("Completed lines (--resume reader)")
struct CompletedLinesTests {
    func load(_ text: String, retryErrors: Bool = false) throws -> (CompletedLines, String) {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("parfetch-resume-\(UUID().uuidString).jsonl").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let completed = try CompletedLines.load(path: path, retryErrors: retryErrors)
        return (completed, try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test func finalRecordsOfWholeLinesAreDone() throws {
        let (completed, after) = try load("""
            {"line":1,"url":"http://a.test/","status":200,"ok":true}
            {"line":2,"url":"http://b.test/","error":{"kind":"timeout","message":"t"}}
            {"line":3,"url":"http://c.test/","error":{"kind":"interrupted","message":"i"}}
            not a record
            {"line":4,"url":"http://d.te
            """)
        #expect(completed.count == 2)
        #expect(completed.contains(line: 1, url: "http://a.test/"))
        #expect(completed.contains(line: 2, url: "http://b.test/"))
        #expect(!completed.contains(line: 3, url: "http://c.test/"))
        #expect(!completed.contains(line: 1, url: "http://other.test/"))
        #expect(completed.droppedBytes == #"{"line":4,"url":"http://d.te"#.utf8.count)
        #expect(after.hasSuffix("not a record\n"))
    }

    /// Found by fuzz-resume's model: a line far beyond the others is kept apart (no dense array
    /// up to it); once the dense array grew to reach it, a second record of it was counted
    /// again, and `contains` looked only in the dense array, missing the first.
    @Test func farLinesAreCountedOnceAndFoundAfterTheArrayReachesThem() throws {
        let far = 16 * 65_536 + 1
        let (twice, _) = try load("""
            {"line":\(far),"url":"http://far.test/"}
            {"line":\(far),"url":"http://far.test/"}

            """)
        #expect(twice.count == 1)
        #expect(twice.contains(line: far, url: "http://far.test/"))

        let (reached, _) = try load("""
            {"line":\(far),"url":"http://far.test/"}
            {"line":\(far + 1),"url":"http://next.test/"}

            """)
        #expect(reached.count == 2)
        #expect(reached.contains(line: far, url: "http://far.test/"))
        #expect(reached.contains(line: far + 1, url: "http://next.test/"))
    }

    /// What `load` reads is what `requiredFields` says (the table's `resume` keys): a record
    /// written with only those fields resumes, and one without any of them does not.
    @Test func recordsWithTheRequiredFieldsResumeAndOthersDoNot() throws {
        let item = ListItem(line: 5, text: "http://a.test/", target: .success(CheckedURL.valid("http://a.test/")))
        let done = Record(item: item, response: Response(url: "http://a.test/", status: 200, bytes: 1))
        let failed = Record(item: item, error: FetchError(.timeout, "t"))
        func line(_ record: Record, _ fields: [RecordField]) -> String {
            var bytes: [UInt8] = []
            RecordFormat.jsonLines(fields: fields).encode(record, into: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        let required = CompletedLines.requiredFields
        #expect(try load(line(done, required)).0.contains(line: 5, url: "http://a.test/"))
        #expect(try load(line(failed, required), retryErrors: false).0.count == 1)
        #expect(try load(line(failed, required), retryErrors: true).0.count == 0)
        for missing in required {
            let fields = required.filter { $0 != missing }
            if missing.name == "error.kind" {
                // Without it a failed record would pass for a done one.
                #expect(try load(line(failed, fields), retryErrors: true).0.count == 1)
            } else {
                #expect(try load(line(done, fields)).0.count == 0, "\(missing.name)")
            }
        }
    }
}
