import FixtureServer
import Foundation
import Testing

/// URLs as arguments, lists and standard input mixed: line numbers count on across them.
@Suite("parfetch inputs", .timeLimit(.minutes(1)))
struct InputsTests {
    @Test func urlsAndListsMixAndLinesCountOnAcrossThem() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("# a comment\n\(server.baseURL)/status/204?a\n\n\(server.baseURL)/status/404?b\n")
        let result = try Parfetch.run(["\(server.baseURL)/status/200?x", list.path, "HTTPS://[::1", "\(server.baseURL)/status/204?y"])
        #expect(result.status == 0)
        let records = try Records(result.stdout)
        // The URL is line 1, the list's four lines 2 to 5, then the two URLs.
        #expect(records.lines == [1, 3, 5, 6, 7])
        #expect(records[1]?["url"] as? String == "\(server.baseURL)/status/200?x")
        #expect(records[3]?["url"] as? String == "\(server.baseURL)/status/204?a")
        #expect(records[5]?["status"] as? Int == 404)
        #expect(records.kind(6) == "invalid_url")
        #expect(records[7]?["ok"] as? Bool == true)
    }

    @Test func standardInputTakesItsPlaceAmongTheArguments() async throws {
        let server = try await Fixture.server()
        let result = try Parfetch.run(["\(server.baseURL)/status/204?x", "-", "\(server.baseURL)/status/204?z"],
                                      stdin: "\(server.baseURL)/status/204?y\n")
        let records = try Records(result.stdout)
        #expect(records.all.count == 3)
        #expect(records[2]?["url"] as? String == "\(server.baseURL)/status/204?y")
        #expect(records[3]?["url"] as? String == "\(server.baseURL)/status/204?z")
    }

    @Test func anUnreadableListAmongURLsExitsTwoBeforeFetching() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let result = try Parfetch.run(["\(server.baseURL)/status/204", "/nonexistent/list.txt"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("parfetch: cannot read /nonexistent/list.txt: No such file or directory"))
        #expect(server.stats().requests == 0)
        try await server.shutdown()
    }

    @Test func orderedAndResumeWorkWithURLArguments() async throws {
        let server = try await Fixture.server()
        let urls = (1...6).map { "\(server.baseURL)/delay/\((7 - $0) * 20)?u=\($0)" }
        let output = try TemporaryFile("")
        let first = try Parfetch.run(["--ordered", "-o", output.path] + urls)
        #expect(first.status == 0)
        let written = try Records(String(contentsOfFile: output.path, encoding: .utf8))
        #expect(written.all.compactMap { $0["line"] as? Int } == [1, 2, 3, 4, 5, 6])
        // Resumed with one more URL: only that one is fetched, as line 7.
        let resumed = try Parfetch.run(["--resume", "-o", output.path] + urls + ["\(server.baseURL)/status/204?u=7"])
        #expect(resumed.status == 0)
        #expect(resumed.stderr.hasPrefix("parfetch: resuming \(output.path): 6 lines done"))
        let all = try Records(String(contentsOfFile: output.path, encoding: .utf8))
        #expect(all.lines == [1, 2, 3, 4, 5, 6, 7])
    }

    /// Issue 14 polish: a password in a URL was echoed into `final_url` and into messages.
    /// `url` stays the line as given; `final_url`, the robots.txt and redirect messages show
    /// `***` for the password.
    @Test func aPasswordInAURLIsRedactedInFinalURLAndMessages() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory,
                                                   robots: .text("User-agent: *\nDisallow: /status/403\n"))
        let withPassword = server.baseURL.replacingOccurrences(of: "http://", with: "http://user:secret@")
        let redacted = server.baseURL.replacingOccurrences(of: "http://", with: "http://user:***@")
        let lines = ["\(withPassword)/status/200", "\(withPassword)/status/403",
                     "\(server.baseURL)/redirect-to?url=ftp://me:secret@127.0.0.1:1/x"]
        let result = try Parfetch.run(["--robots", "--retries", "0"] + lines)
        #expect(result.status == 0)
        let records = try Records(result.stdout)
        #expect(records.lines == [1, 2, 3])
        for (line, text) in zip(1..., lines) {
            #expect(records[line]?["url"] as? String == text)
        }
        #expect(records[1]?["status"] as? Int == 200)
        #expect(records[1]?["final_url"] as? String == "\(redacted)/status/200")
        #expect(records.kind(2) == "robots")
        #expect((records[2]?["error"] as? [String: Any])?["message"] as? String == "disallowed by \(redacted)/robots.txt")
        #expect(records.kind(3) == "unsupported_scheme")
        #expect((records[3]?["error"] as? [String: Any])?["message"] as? String
            == "a redirect went to another scheme: ftp://me:***@127.0.0.1:1/x (only http and https are followed)")
        #expect(records[3]?["final_url"] as? String == "ftp://me:***@127.0.0.1:1/x")
        // Nothing but `url` names the password.
        for record in records.all {
            var rest = record
            rest["url"] = nil
            let json = try JSONSerialization.data(withJSONObject: rest)
            #expect(!String(decoding: json, as: UTF8.self).contains("secret"), "\(record)")
        }
        #expect(!result.stderr.contains("secret"))
        try await server.shutdown()
    }
}
