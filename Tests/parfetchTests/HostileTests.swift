import FixtureServer
import Foundation
import Testing

/// The binary against the fixture server's hostile routes: one valid JSON record per URL
/// whatever the server does, the contract's error kinds, exit status 0, memory bounded.
@Suite("Hostile routes end to end", .timeLimit(.minutes(3)))
struct HostileTests {
    @Test func aMixedListOfHostileRoutesGivesOneRecordEach() async throws {
        let server = try await Fixture.server()
        let base = server.baseURL
        let paths = [
            "/overlong", "/endless", "/huge-header", "/bad-chunk", "/hang", "/trickle-headers?ms=1000",
            "/redirect-loop", "/redirect-to?url=file%3A%2F%2F%2Fetc%2Fpasswd", "/redirect-to?url=ftp%3A%2F%2F127.0.0.1%2Fx",
            "/binary?bytes=100000&seed=9", "/bad-title", "/nested?depth=100000", "/links?count=100000",
        ]
        let list = try TemporaryFile(paths.map { base + $0 }.joined(separator: "\n") + "\n")
        let result = try Parfetch.run(
            ["--timeout", "\(3 * Parfetch.slowdown)", "--stall-timeout", "\(2 * Parfetch.slowdown)", "--retries", "1",
             "--max-size", "4M", "--max-links", "100", "--progress", "never", list.path],
            limit: .seconds(60 * Parfetch.slowdown))
        #expect(result.status == 0)
        #expect(result.stderr.hasPrefix("13 records in "), "\(result.stderr)")
        // Python's own parser agrees that every line is JSON.
        #expect(try Python.run(Python.readJSONLines, stdin: result.stdout).stdout == "13\n")
        let records = try Records(result.stdout)
        let seen = Comment(rawValue: result.stdout)
        #expect(records.lines == Array(1...13), seen)
        #expect(records[1]?["bytes"] as? Int == 100 && records[1]?["error"] == nil, seen)
        #expect(records.kind(2) == "too_large", seen)
        #expect(records.kind(3) == "too_large", seen)
        #expect(records.kind(4) == "other", seen)
        #expect(records[4]?["attempts"] as? Int == 1, seen)
        #expect(records.kind(5) == "timeout", seen)
        #expect(records[5]?["attempts"] as? Int == 2, seen)
        #expect(records.kind(6) == "timeout", seen)
        #expect(records.kind(7) == "too_many_redirects", seen)
        #expect(records.kind(8) == "unsupported_scheme", seen)
        #expect(records.kind(9) == "unsupported_scheme", seen)
        #expect(records[10]?["status"] as? Int == 200 && records[10]?["bytes"] as? Int == 100_000, seen)
        #expect(records[11]?["title"] as? String == "A\u{FFFD}B \u{FFFD} C\u{FFFD}D", seen)
        #expect(records[12]?["title"] as? String == "100000 levels", seen)
        #expect((records[13]?["links"] as? [String])?.count == 100, seen)
        #expect(records[13]?["links_truncated"] as? Bool == true, seen)
        for line in [3, 4, 8] {
            let message = (records[line]?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains(line == 3 ? "libcurl's limit" : line == 4 ? "chunked" : "another scheme"), seen)
        }
    }

    @Test(arguments: [("0", 20_000, false), ("20000", 20_000, false), ("19999", 19_999, true)])
    func maxLinksZeroMeansNoLimit(flag: String, kept: Int, truncated: Bool) async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("\(server.baseURL)/links?count=20000\n")
        let result = try Parfetch.run(["--max-links", flag, "--progress", "never", list.path])
        #expect(result.status == 0)
        let record = try #require(try Records(result.stdout)[1])
        #expect((record["links"] as? [String])?.count == kept)
        #expect(record["links_truncated"] as? Bool == (truncated ? true : nil))
    }

    /// A never-ending body costs about `--max-size`, not more (measured: about 58 MB peak at
    /// 16 MiB).
    @Test func endlessBodyMemoryIsBoundedByMaxSize() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("\(server.baseURL)/endless\n")
        let (result, peak) = try PeakRSS.run([list.path, "--max-size", "16M", "--progress", "never"])
        #expect(try Records(result.stdout).kind(1) == "too_large")
        if Parfetch.measuresMemory {
            #expect(peak < 120 * 1024, "peak RSS \(peak) KiB")
        }
    }

    /// A page of a million links costs its body and the first `--max-links` links (measured:
    /// about 90 MB peak, of which the 34 MB body twice while its buffer grows; about 230 MB
    /// with no limit).
    @Test func millionLinkPageMemoryIsBoundedByTheLinkLimit() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("\(server.baseURL)/links?count=1000000\n")
        let (result, peak) = try PeakRSS.run([list.path, "--progress", "never", "--timeout", "\(30 * Parfetch.slowdown)"],
                                             limit: .seconds(60 * Parfetch.slowdown))
        let record = try #require(try Records(result.stdout)[1])
        #expect((record["links"] as? [String])?.count == 10_000)
        #expect(record["links_truncated"] as? Bool == true)
        if Parfetch.measuresMemory {
            #expect(peak < 160 * 1024, "peak RSS \(peak) KiB")
        }
    }
}
