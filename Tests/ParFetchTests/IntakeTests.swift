import Foundation
import Testing
@testable import ParFetch

/// The intake's decisions as a plain value: no threads, no files.
@Suite struct IntakeTests {
    static func item(_ line: Int, _ text: String) -> ListItem {
        ListItem(line: line, text: text, target: Result { () throws(FetchError) in try CheckedURL(text) })
    }

    /// The decisions for `lines` (numbered from 1), as short strings.
    static func decisions(_ lines: [String], dedupe: Bool = false, completed: CompletedLines = CompletedLines(),
                          shard: Shard? = nil) -> [String] {
        var intake = Intake(dedupe: dedupe, completed: completed, shard: shard)
        return lines.enumerated().map { index, text in
            switch intake.take(item(index + 1, text)) {
            case .elsewhere:
                return "elsewhere"
            case .skip:
                return "skip"
            case .record(let record):
                if let first = record.duplicateOf { return "#\(record.sequence) duplicate of \(first)" }
                return "#\(record.sequence) \(record.error?.kind.description ?? "?")"
            case .admit(let item):
                return "#\(item.sequence) fetch \(item.url?.absolute ?? "?")"
            }
        }
    }

    @Test func everyLineIsFetchedOrGetsItsRecordInOrder() {
        #expect(Self.decisions(["http://a.test/1", "ftp://a.test/", "no url", "http://a.test/2"]) == [
            "#0 fetch http://a.test/1", "#1 unsupported_scheme", "#2 invalid_url", "#3 fetch http://a.test/2",
        ])
    }

    @Test func duplicatesPointAtTheFirstLineFragmentsAside() {
        // libcurl spells `y?` as `y`: it fetches the same resource.
        let lines = ["http://a.test/x#top", "http://a.test/y", "http://a.test/x", "http://a.test/x#end", "http://a.test/y?",
                     "http://a.test/y?q"]
        #expect(Self.decisions(lines, dedupe: true) == [
            "#0 fetch http://a.test/x#top", "#1 fetch http://a.test/y", "#2 duplicate of 1", "#3 duplicate of 1",
            "#4 duplicate of 2", "#5 fetch http://a.test/y?q",
        ])
        #expect(Self.decisions(lines, dedupe: false).allSatisfy { $0.contains("fetch") })
    }

    /// Another shard's lines get nothing here, not even a sequence number, and duplicates
    /// stay within a shard, as they share their host.
    @Test func anotherShardsLinesAreLeftToIt() throws {
        let lines = ["http://a.test/1", "http://b.test/1", "http://a.test/1", "http://b.test/2"]
        let a = Shard.hash("a.test:80") % 2
        #expect(Shard.hash("b.test:80") % 2 != a, "the two hosts fall into two shards")
        let shard = try #require(Shard(index: Int(a), count: 2))
        #expect(Self.decisions(lines, dedupe: true, shard: shard) == [
            "#0 fetch http://a.test/1", "elsewhere", "#1 duplicate of 1", "elsewhere",
        ])
    }

    @Test func resumedLinesAreSkippedWithoutASequenceNumber() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parfetch-intake-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let done = #"{"line":1,"url":"http://a.test/1","ok":true,"attempts":1}"# + "\n"
            + #"{"line":3,"url":"http://a.test/1","ok":true,"attempts":0,"duplicate_of":1}"# + "\n"
        try Data(done.utf8).write(to: URL(fileURLWithPath: path))
        let completed = try CompletedLines.load(path: path, retryErrors: false)
        // A finished first line still makes later lines duplicates; the line with another URL
        // than the record's is not the same line.
        #expect(Self.decisions(["http://a.test/1", "http://a.test/2", "http://a.test/1", "http://a.test/1"],
                               dedupe: true, completed: completed) == [
            "skip", "#0 fetch http://a.test/2", "skip", "#1 duplicate of 1",
        ])
        #expect(Self.decisions(["http://a.test/other", "http://a.test/2"], completed: completed) == [
            "#0 fetch http://a.test/other", "#1 fetch http://a.test/2",
        ])
    }
}
