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
            {"line":4,"url":"http://d.te
            """)
        #expect(completed.count == 2)
        #expect(completed.contains(line: 1, url: "http://a.test/"))
        #expect(completed.contains(line: 2, url: "http://b.test/"))
        #expect(!completed.contains(line: 3, url: "http://c.test/"))
        #expect(!completed.contains(line: 1, url: "http://other.test/"))
        #expect(completed.droppedBytes == #"{"line":4,"url":"http://d.te"#.utf8.count)
        #expect(after.hasSuffix(#"{"kind":"interrupted","message":"i"}}"# + "\n"))
    }

    /// The rule (issue 14 item 3): every whole line is a JSON object with a `line` (1 or more)
    /// and a `url`, or the file is refused, naming the first line that is not, and left as it
    /// was (a torn last line included). An empty file has no records and is fine.
    @Test(arguments: [
        ("some important notes\nline two\n", 1),
        (#"{"line":1,"url":"http://a.test/"}"# + "\n\n", 2),
        (#"{"line":1,"url":"http://a.test/"}"# + "\nnotes\n" + #"{"line":2,"url":"http://b.test/"}"# + "\n", 2),
        (#"{"line":1,"url":"http://a.test/"}"# + "\n" + #"{"url":"http://b.test/"}"# + "\n", 2),
        (#"{"line":0,"url":"http://a.test/"}"# + "\n", 1),
        (#"{"line":"1","url":"http://a.test/"}"# + "\n", 1),
        (#"[{"line":1,"url":"http://a.test/"}]"# + "\n", 1),
        (#"{"line":1,"url":"http://a.test/","error":"timeout"}"# + "\n" + #"{"line":2,"url":"http://b.te"#, 1),
    ])
    func everyWholeLineMustBeARecord(text: String, line: Int) throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("parfetch-resume-\(UUID().uuidString).jsonl").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: OutputError.notARecord(path, line: line)) {
            try CompletedLines.load(path: path, retryErrors: false)
        }
        #expect("\(OutputError.notARecord(path, line: line))" == "cannot resume from \(path): line \(line) is not a parfetch record")
        #expect(OutputError.notARecord(path, line: line).refusesResume)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        #expect(try load("").0.count == 0)
    }

    /// The list check as values: each record's URL against its line of the list, by hash, up
    /// to the last line with a record (a record that is not final counts too).
    @Test func recordsAreComparedWithTheirLinesOfTheList() throws {
        let (completed, _) = try load("""
            {"line":2,"url":"http://b.test/"}
            {"line":4,"url":"http://d.test/","error":{"kind":"interrupted","message":"i"}}

            """)
        #expect(completed.lastLine == 4)
        func mismatch(_ lines: [(Int, String)]) -> CompletedLines.Mismatch? {
            var rest = lines[...]
            return completed.firstMismatch { rest.popFirst().map { (line: $0.0, text: $0.1) } }
        }
        let list = [(1, "http://a.test/"), (2, "http://b.test/"), (4, "http://d.test/")]
        #expect(mismatch(list) == nil)
        // Lines after the last record's are not read.
        var read = 0
        var longer = (list + [(5, "http://e.test/"), (6, "http://f.test/")])[...]
        #expect(completed.firstMismatch { read += 1; return longer.popFirst().map { (line: $0.0, text: $0.1) } } == nil)
        #expect(read == 3)
        #expect(mismatch([(1, "http://a.test/"), (2, "http://x.test/"), (4, "http://d.test/")])
            == CompletedLines.Mismatch(line: 2, listText: "http://x.test/"))
        #expect(mismatch([(2, "http://b.test/"), (4, "http://x.test/")]) == CompletedLines.Mismatch(line: 4, listText: "http://x.test/"))
        // The list ends before a record's line, or has no URL on it (a blank line, a comment).
        #expect(mismatch([(1, "http://a.test/"), (2, "http://b.test/")]) == CompletedLines.Mismatch(line: 4, listText: nil))
        #expect(mismatch([(1, "http://a.test/"), (3, "http://b.test/"), (4, "http://d.test/")])
            == CompletedLines.Mismatch(line: 2, listText: nil))
        // Far lines (kept apart from the dense array) are compared too.
        let far = 16 * 65_536 + 10
        let (sparse, _) = try load(#"{"line":1,"url":"http://a.test/"}"# + "\n" + #"{"line":\#(far),"url":"http://far.test/"}"# + "\n")
        var items = [(line: 1, text: "http://a.test/"), (line: far, text: "http://near.test/")][...]
        #expect(sparse.firstMismatch { items.popFirst() } == CompletedLines.Mismatch(line: far, listText: "http://near.test/"))
        items = [(line: 1, text: "http://a.test/"), (line: far - 1, text: "http://far.test/")][...]
        #expect(sparse.firstMismatch { items.popFirst() } == CompletedLines.Mismatch(line: far, listText: nil))
    }

    /// `load` with the list refuses another list's output before it cuts a torn last line:
    /// the refused file is left exactly as it was.
    @Test func anotherListsOutputIsRefusedBeforeTheTornLineIsCut() throws {
        let text = #"{"line":1,"url":"http://a.test/"}"# + "\n" + #"{"line":2,"url":"http://b.te"#
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("parfetch-resume-\(UUID().uuidString).jsonl").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var items = [(line: 1, text: "http://x.test/")][...]
        #expect(throws: OutputError.notOfTheList(path, line: 1, recordURL: "http://a.test/", listText: "http://x.test/")) {
            try CompletedLines.load(path: path, retryErrors: false, list: { items.popFirst() })
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        #expect("\(OutputError.notOfTheList("o.jsonl", line: 3, recordURL: "http://a/x", listText: "http://b/y"))"
            == "cannot resume from o.jsonl: its record for line 3 is of http://a/x, but line 3 of the list is http://b/y: "
            + "is it another list's output?")
        #expect("\(OutputError.notOfTheList("o.jsonl", line: 3, recordURL: "http://a/x", listText: nil))"
            == "cannot resume from o.jsonl: its record for line 3 is of http://a/x, but the list has no URL on line 3 "
            + "(it is shorter, or the line is blank or a comment): is it another list's output?")
        items = [(line: 1, text: "http://a.test/")][...]
        let (completed, after) = try (CompletedLines.load(path: path, retryErrors: false, list: { items.popFirst() }),
                                      String(contentsOfFile: path, encoding: .utf8))
        #expect(completed.count == 1 && completed.droppedBytes > 0 && after.hasSuffix("\n"))
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
    /// written with only those fields resumes, and one without any of them does not (without
    /// `line` or `url` it is not a record at all).
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
                // Without `line` or `url` a line is not a record: the file is refused.
                #expect(throws: OutputError.self, "\(missing.name)") { try load(line(done, fields)) }
            }
        }
    }
}
