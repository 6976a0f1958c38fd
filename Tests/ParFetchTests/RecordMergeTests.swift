import Foundation
import Testing
@testable import ParFetch

/// The merge of shard outputs, on files written here.
@Suite struct RecordMergeTests {
    /// Merges files with these contents; returns the output, or the error.
    static func merge(_ contents: [String]) throws -> (String, RecordMerge.Outcome) {
        let scratch = try ScratchDirectory()
        let paths = contents.enumerated().map { index, text in
            let path = scratch.path + "/shard-\(index).jsonl"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            return path
        }
        let output = scratch.path + "/merged.jsonl"
        let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        let outcome = try RecordMerge.merge(paths: paths, into: fd)
        return (try String(contentsOfFile: output, encoding: .utf8), outcome)
    }

    static func record(_ line: Int, _ rest: String = #""ok":true"#) -> String { #"{"line":\#(line),\#(rest)}"# + "\n" }

    @Test func shardsAreMergedInLineOrder() throws {
        let (merged, outcome) = try Self.merge([
            Self.record(1) + Self.record(4) + Self.record(5),
            Self.record(2) + Self.record(7),
            "",
            Self.record(3) + Self.record(6) + Self.record(10),
        ])
        #expect(merged == [1, 2, 3, 4, 5, 6, 7, 10].map { Self.record($0) }.joined())
        #expect(outcome == RecordMerge.Outcome(records: 8, replaced: 0, tornFiles: []))
    }

    /// A resumed file: its first run's interrupted records are replaced by the final ones the
    /// resumed run appended; of records that are all interrupted, the last is kept.
    @Test func aResumedFileKeepsTheLastFinalRecordOfEachLine() throws {
        let interrupted = #""ok":false,"error":{"kind":"interrupted","message":"x"}"#
        let first = Self.record(1) + Self.record(2, interrupted) + Self.record(3, #""ok":false,"error":{"kind":"timeout","message":"t"}"#)
            + Self.record(5, interrupted)
        let resumed = Self.record(2) + Self.record(5, interrupted + #","attempts":2"#)
        let (merged, outcome) = try Self.merge([first + resumed, Self.record(4)])
        #expect(merged == Self.record(1) + Self.record(2) + Self.record(3, #""ok":false,"error":{"kind":"timeout","message":"t"}"#)
            + Self.record(4) + Self.record(5, interrupted + #","attempts":2"#))
        #expect(outcome.replaced == 2)
    }

    @Test func aTornLastRecordIsLeftOut() throws {
        let (merged, outcome) = try Self.merge([Self.record(1) + #"{"line":3,"url":"ht"#, Self.record(2)])
        #expect(merged == Self.record(1) + Self.record(2))
        #expect(outcome.tornFiles.count == 1)
    }

    @Test(arguments: [
        "some important notes\n",
        #"{"line":1,"ok":true}"# + "\n" + "not a record\n",
        #"{"url":"http://a/","line":1}"# + "\n",
        #"{"line":-1}"# + "\n",
        "notes without a newline",
    ])
    func whatIsNotOurOutputIsRefused(content: String) throws {
        #expect {
            _ = try Self.merge([Self.record(1), content])
        } throws: { error in
            (error as? MergeError)?.description.contains("is not a parfetch record") == true
        }
    }

    @Test func aFileWrittenWithoutOrderedIsRefused() throws {
        let unordered = (0..<(2 * RecordMerge.maximumRuns + 2)).map { Self.record($0 % 2 == 0 ? 100 + $0 : $0) }.joined()
        #expect {
            _ = try Self.merge([unordered])
        } throws: { error in
            (error as? MergeError)?.description.contains("not in order") == true
        }
    }

    @Test func lineNumbersAreReadFromTheRecordsStart() {
        #expect(RecordMerge.lineNumber(of: Array(#"{"line":12,"url":"x"}"#.utf8)) == 12)
        #expect(RecordMerge.lineNumber(of: Array(#"{"line":7}"#.utf8)) == 7)
        #expect(RecordMerge.lineNumber(of: Array(#"{"line":,"url":"x"}"#.utf8)) == nil)
        #expect(RecordMerge.lineNumber(of: Array(#"{"line":99999999999999999999}"#.utf8)) == nil)
    }
}
