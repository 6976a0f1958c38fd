import FixtureServer
import Foundation
import Testing

/// `--resume` after crashes: whatever moment a run is killed at, resuming ends with exactly
/// one final record per line.
@Suite("resume", .timeLimit(.minutes(2)))
struct ResumeTests {
    @Test func killedRunsResumeToOneFinalRecordPerLine() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let lines = (1...2000).map { "\(server.baseURL)/delay/40?i=\($0)" }
        let list = try TemporaryFile(lines.joined(separator: "\n"))
        let output = try TemporaryFile("")
        let arguments = ["-j", "50", "--per-host", "50", "--resume", "-o", output.path, list.path]
        try Parfetch.killRepeatedly(arguments, times: 3, window: 200_000...900_000)
        let last = try Parfetch.run(arguments, limit: .seconds(60))
        #expect(last.status == 0)
        #expect(last.stderr.hasPrefix("parfetch: resuming"))
        let records = try Records(String(contentsOfFile: output.path, encoding: .utf8))
        var finals: [Int: Int] = [:]
        for record in records.all where Parfetch.isFinal(record) {
            finals[record["line"] as! Int, default: 0] += 1
            #expect(record["ok"] as? Bool == true)
        }
        #expect(finals.count == 2000)
        #expect(finals.values.allSatisfy { $0 == 1 })
        // Final lines are not fetched again: each kill loses at most the 50 in flight and the
        // few records not yet written (a rerun of everything would be thousands more).
        #expect(server.stats().requests <= 2000 + 3 * 100)
        try await server.shutdown()
    }

    @Test func aTornLastRecordIsDroppedAndTheRestKept() async throws {
        let server = try await Fixture.server()
        let lines = (1...4).map { "\(server.baseURL)/status/204?i=\($0)" }
        let list = try TemporaryFile(lines.joined(separator: "\n"))
        let earlier = """
            {"line":1,"url":"\(lines[0])","status":204,"ok":true,"attempts":1}
            {"line":2,"url":"\(lines[1])","ok":false,"attempts":1,"error":{"kind":"interrupted","message":"the run was interrupted"}}
            {"line":3,"url":"\(lines[2])","ok":false,"attempts":1,"error":{"kind":"connect","message":"refused"}}
            {"line":4,"url":"\(lines[3])","status":2
            """
        let output = try TemporaryFile(earlier)
        let result = try Parfetch.run(["--resume", "-o", output.path, list.path])
        #expect(result.status == 0)
        #expect(result.stderr.contains("2 lines done"))
        #expect(result.stderr.contains("dropped a record cut short"))
        let records = try Records(String(contentsOfFile: output.path, encoding: .utf8))
        // Kept: the three whole lines. Appended: 2 (interrupted) and 4 (torn); 3's error is final.
        let written = records.all.map { $0["line"] as? Int ?? 0 }
        #expect(Array(written.prefix(3)) == [1, 2, 3] && written.dropFirst(3).sorted() == [2, 4])
        let again = try Parfetch.run(["--resume-failed", "-o", output.path, list.path])
        #expect(again.status == 0)
        let after = try Records(String(contentsOfFile: output.path, encoding: .utf8))
        #expect(after.all.map { $0["line"] as? Int ?? 0 }.dropFirst(5) == [3])
        #expect(after.all.count == 6)
    }

    @Test func resumeNeedsAnOutputFile() throws {
        let result = try Parfetch.run(["--resume", "list.txt"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--resume and --resume-failed need --output FILE"))
    }

    @Test func dedupeFetchesEachURLOnce() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let a = "\(server.baseURL)/status/204?a"
        let b = "\(server.baseURL)/status/204?b"
        let list = try TemporaryFile([a, b, a, "\(a)#part", "not a url", b, "not a url"].joined(separator: "\n"))
        let result = try Parfetch.run(["--dedupe", list.path])
        #expect(result.status == 0)
        let records = try Records(result.stdout)
        #expect(records.lines == [1, 2, 3, 4, 5, 6, 7])
        #expect(records[3]?["duplicate_of"] as? Int == 1)
        #expect(records[4]?["duplicate_of"] as? Int == 1)
        #expect(records[6]?["duplicate_of"] as? Int == 2)
        #expect(records[3]?["attempts"] as? Int == 0)
        // Invalid lines are not URLs: each gets its own error record.
        #expect(records.kind(7) == "invalid_url" && records[7]?["duplicate_of"] == nil)
        #expect(server.stats().requests == 2)
        try await server.shutdown()
    }

    @Test func resumeRefusesWhatIsNotItsOutput() throws {
        let list = try TemporaryFile("http://127.0.0.1:1/a\nhttp://127.0.0.1:1/b")
        // The list itself (a typo), and a text file that is not ours.
        let same = try Parfetch.run(["--resume", "-o", list.path, list.path])
        #expect(same.status == 2 && same.stderr.contains("is the URL list itself"))
        #expect(try String(contentsOfFile: list.path, encoding: .utf8) == "http://127.0.0.1:1/a\nhttp://127.0.0.1:1/b")
        let notes = try TemporaryFile("my notes\nno newline at the end")
        let other = try Parfetch.run(["--resume", "-o", notes.path, list.path])
        #expect(other.status == 2 && other.stderr.contains("line 1 is not a parfetch record"))
        #expect(try String(contentsOfFile: notes.path, encoding: .utf8) == "my notes\nno newline at the end")
        // Only a last line that starts as a record is a torn one.
        let note = try TemporaryFile("no newline at the end")
        let torn = try Parfetch.run(["--resume", "-o", note.path, list.path])
        #expect(torn.status == 2 && torn.stderr.contains("not parfetch output"))
        #expect(try String(contentsOfFile: note.path, encoding: .utf8) == "no newline at the end")
    }

    /// Issue 14 item 3: notes that end with a newline were appended to (exit 0). Every whole
    /// line must be a record: the first that is not is named, and nothing is fetched or written.
    @Test func aFileOfOtherLinesIsRefusedAndLeftAlone() async throws {
        let server = try await Fixture.server()
        let before = server.stats().requests
        let list = try TemporaryFile("\(server.baseURL)/status/204?notes=1\n\(server.baseURL)/status/204?notes=2\n")
        let notes = try TemporaryFile("some important notes\nline two\n")
        let result = try Parfetch.run(["--resume", "-o", notes.path, list.path])
        #expect(result.status == 2)
        #expect(result.stderr == "parfetch: cannot resume from \(notes.path): line 1 is not a parfetch record\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: notes.path)) == Data("some important notes\nline two\n".utf8))
        #expect(server.stats().requests == before)
    }

    /// Issue 14 item 3: another list's output was taken as done lines and appended to. Each
    /// record's URL must be its line's in the list (a longer or shorter other list alike).
    @Test func anotherListsOutputIsRefusedAndLeftAlone() async throws {
        let server = try await Fixture.server()
        let first = (1...3).map { "\(server.baseURL)/status/204?first=\($0)" }
        let list = try TemporaryFile(first.joined(separator: "\n"))
        let output = try TemporaryFile("")
        #expect(try Parfetch.run(["-o", output.path, list.path]).status == 0)
        let written = try Data(contentsOf: URL(fileURLWithPath: output.path))
        let before = server.stats().requests

        let other = try TemporaryFile((1...10).map { "\(server.baseURL)/status/204?other=\($0)" }.joined(separator: "\n"))
        let refused = try Parfetch.run(["--resume", "-o", output.path, other.path])
        #expect(refused.status == 2)
        #expect(refused.stderr == "parfetch: cannot resume from \(output.path): its record for line 1 is of \(first[0]), "
            + "but line 1 of the list is \(server.baseURL)/status/204?other=1: is it another list's output?\n")
        // Same first line, another second: found on line 2.
        let second = try TemporaryFile([first[0], "\(server.baseURL)/status/204?other=2", first[2]].joined(separator: "\n"))
        let secondRefused = try Parfetch.run(["--resume", "-o", output.path, second.path])
        #expect(secondRefused.status == 2 && secondRefused.stderr.contains("its record for line 2 is of \(first[1]),"))
        // The list is shorter than the records, or has a comment where a record's URL was.
        for shorter in [first[0] + "\n" + first[1], first[0] + "\n# gone\n" + first[2]] {
            let short = try TemporaryFile(shorter)
            let result = try Parfetch.run(["--resume", "-o", output.path, short.path])
            #expect(result.status == 2)
            #expect(result.stderr.contains("but the list has no URL on line"), "\(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: output.path)) == written)
        #expect(server.stats().requests == before)
    }

    /// The list check passes the list an output came from, and that list with more lines at
    /// its end; a URL given as an argument is a line of the list too.
    @Test func theSameListOrALongerOneResumes() async throws {
        let server = try await Fixture.server()
        let lines = (1...5).map { "\(server.baseURL)/status/204?longer=\($0)" }
        let list = try TemporaryFile(lines.prefix(3).joined(separator: "\n"))
        let output = try TemporaryFile("")
        #expect(try Parfetch.run(["-o", output.path, list.path]).status == 0)
        let written = try Data(contentsOf: URL(fileURLWithPath: output.path))

        let same = try Parfetch.run(["--resume", "-o", output.path, list.path])
        #expect(same.status == 0 && same.stderr.hasPrefix("parfetch: resuming \(output.path): 3 lines done\n"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: output.path)) == written)

        let longer = try TemporaryFile(lines.prefix(4).joined(separator: "\n"))
        let resumed = try Parfetch.run(["--resume", "-o", output.path, longer.path, lines[4]])
        #expect(resumed.status == 0 && resumed.stderr.hasPrefix("parfetch: resuming \(output.path): 3 lines done\n"))
        let records = try Records(String(contentsOfFile: output.path, encoding: .utf8))
        #expect(records.lines == [1, 2, 3, 4, 5])
        #expect(records[5]?["url"] as? String == lines[4])
    }

    /// Two runs writing one file would duplicate or destroy records: the second is refused
    /// before it touches the file, whether it resumes or truncates.
    @Test func aSecondRunOnTheSameOutputIsRefused() async throws {
        let server = try await Fixture.server()
        // Long enough (3 s) for the second runs to start while the first writes, even slowed
        // down by a sanitizer.
        let list = try TemporaryFile((1...60).map { "\(server.baseURL)/delay/100?lock=\($0)" }.joined(separator: "\n"))
        let output = try TemporaryFile("")
        let first = Process()
        first.executableURL = Parfetch.binary
        first.arguments = ["-j", "2", "--per-host", "2", "-o", output.path, list.path]
        first.standardError = FileHandle.nullDevice
        try first.run()
        // Until the first run has written a record: it holds the file by then.
        let deadline = ContinuousClock.now + .seconds(10)
        while (try? String(contentsOfFile: output.path, encoding: .utf8))?.isEmpty != false && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        for extra in [["--resume"], []] {
            let second = try Parfetch.run(extra + ["-o", output.path, list.path])
            #expect(second.status == 1)
            #expect(second.stderr == "parfetch: \(output.path) is being written by another parfetch run\n")
        }
        try Parfetch.wait(first, limit: .seconds(30))
        #expect(first.terminationStatus == 0)
        let records = try Records(String(contentsOfFile: output.path, encoding: .utf8))
        #expect(records.lines == Array(1...60))
    }
}
