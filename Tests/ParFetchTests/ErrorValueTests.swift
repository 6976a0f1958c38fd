import Foundation
import Testing
@testable import ParFetch

/// Errors as values: what users read stays the same text, and code tells cases apart by value.
@Suite("Error values")
struct ErrorValueTests {
    @Test func brokenPipeIsAValueNotAMessage() {
        #expect(OutputError.cannotWrite(errno: EPIPE).isBrokenPipe)
        #expect(!OutputError.cannotWrite(errno: ENOSPC).isBrokenPipe)
        #expect(!OutputError.cannotOpen("/x", errno: EPIPE).isBrokenPipe)
        #expect(OutputError.cannotWrite(errno: EPIPE) == .cannotWrite(errno: EPIPE))
        #expect(OutputError.cannotWrite(errno: EPIPE).errno == EPIPE)
    }

    @Test func outputMessagesKeepTheirText() {
        #expect("\(OutputError.cannotWrite(errno: EPIPE))" == "cannot write output: Broken pipe")
        #expect("\(OutputError.cannotWrite("s.json", errno: ENOSPC))" == "cannot write s.json: No space left on device")
        #expect("\(OutputError.cannotOpen("/a/b", errno: ENOENT))" == "cannot open /a/b: No such file or directory")
        #expect("\(OutputError.locked("o.jsonl"))" == "o.jsonl is being written by another parfetch run")
        #expect("\(OutputError.notRegularFile("/dev/null"))" == "cannot resume from /dev/null: not a regular file")
        #expect("\(OutputError.notParFetchOutput("x"))"
            == "cannot resume from x: it does not end with a whole line, and is not parfetch output")
    }

    @Test func listReaderErrorsCarryTheErrno() throws {
        let missing = #expect(throws: ListReaderError.self) { try ListReader(path: "/nonexistent/parfetch/list.txt") }
        #expect(missing?.errno == ENOENT)
        #expect(missing?.description == "cannot read /nonexistent/parfetch/list.txt: No such file or directory")
        let directory = #expect(throws: ListReaderError.self) { try ListReader(path: "/") }
        #expect(directory?.description == "cannot read /: Is a directory")
    }

    @Test func aWriteToAClosedPipeIsABrokenPipe() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        close(ends[0])
        signal(SIGPIPE, SIG_IGN)
        let writer = RecordWriter(fileDescriptor: ends[1])
        writer.submit(Record(item: ListItem(line: 1, text: "x", target: .failure(FetchError(.invalidURL, "x"))), error: FetchError(.invalidURL, "x")))
        let failure = writer.close()
        close(ends[1])
        #expect(failure?.isBrokenPipe == true)
        // Nothing reached a reader: the summary counts nothing.
        #expect(writer.withSummary { $0.records } == 0)
        #expect(writer.count == 0)
    }
}
