import FixtureServer
import Foundation
import Testing

/// Methods, bodies, JSON Lines input, response headers, conditional re-fetch and the failure
/// exit status, seen from the fixture server's side (`/echo` answers with what it received;
/// `--save-dir` keeps those answers).
@Suite("requests as curl makes them", .timeLimit(.minutes(1)))
struct RequestTests {
    /// Runs parfetch with `--save-dir` and returns its records and, for each line whose
    /// response was saved, the `/echo` answer: what the server received.
    static func echoes(_ arguments: [String], stdin: String? = nil) throws -> (Records, [Int: Echo], Parfetch.Result) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parfetch-echo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Parfetch.run(["-q", "--save-dir", directory.path] + arguments, stdin: stdin)
        let records = try Records(result.stdout)
        var echoes: [Int: Echo] = [:]
        for record in records.all {
            guard let line = record["line"] as? Int, let saved = record["saved"] as? String else { continue }
            let data = try Data(contentsOf: directory.appendingPathComponent(saved))
            // Only `/echo` answers are echoes; other saved bodies are pages.
            if let echo = try? JSONDecoder().decode(Echo.self, from: data) { echoes[line] = echo }
        }
        return (records, echoes, result)
    }

    struct Echo: Decodable {
        var method: String
        var uri: String
        var headers: [String: String]
        var body: String
    }

    @Test func methodAndFormBodiesAsCurlSendsThem() async throws {
        let server = try await Fixture.server()
        let file = try TemporaryFile("one=1\r\ntwo=2\n")
        let (_, echoes, result) = try Self.echoes(["-X", "PUT", "-d", "a=1", "-d", "@\(file.path)", "\(server.baseURL)/echo"])
        #expect(result.status == 0)
        let echo = try #require(echoes[1])
        #expect(echo.method == "PUT")
        // Joined with &, the file's line breaks removed (curl's -d @FILE).
        #expect(echo.body == "a=1&one=1two=2")
        #expect(echo.headers["content-type"] == "application/x-www-form-urlencoded")

        let (_, posted, _) = try Self.echoes(["-d", "x=y", "\(server.baseURL)/echo"])
        #expect(posted[1]?.method == "POST")
        #expect(posted[1]?.body == "x=y")
    }

    @Test func jsonBodyFromAFileAndStandardInput() async throws {
        let server = try await Fixture.server()
        let body = "{\"a\": [1, 2.50],\n \"b\": \"é\"}\n"
        let file = try TemporaryFile(body)
        let list = try TemporaryFile("\(server.baseURL)/echo\n")
        let (_, echoes, _) = try Self.echoes(["--json", "@\(file.path)", list.path])
        let echo = try #require(echoes[1])
        #expect(echo.method == "POST")
        // As given: --json keeps line breaks.
        #expect(echo.body == body)
        #expect(echo.headers["content-type"] == "application/json")
        #expect(echo.headers["accept"] == "application/json")

        let (_, fromStdin, _) = try Self.echoes(["--json", "@-", list.path], stdin: "[true]")
        #expect(fromStdin[1]?.body == "[true]")
        // A -H of the same name wins over --json's.
        let (_, typed, _) = try Self.echoes(["--json", "{}", "-H", "Content-Type: application/x-ndjson", list.path])
        #expect(typed[1]?.headers["content-type"] == "application/x-ndjson")
        #expect(typed[1]?.headers["accept"] == "application/json")
    }

    @Test func headAsksForTheHeadOnly() async throws {
        let server = try await Fixture.server()
        let url = "\(server.baseURL)/page/products.html"
        let full = try Records(try Parfetch.run(["-q", url]).stdout)
        #expect(full[1]?["title"] is String)
        let head = try Records(try Parfetch.run(["-q", "-I", url]).stdout)
        #expect(head[1]?["status"] as? Int == 200)
        #expect(head[1]?["bytes"] as? Int == 0)
        for key in ["title", "links", "description", "lang", "canonical"] {
            #expect(head[1]?[key] == nil, "\(key)")
        }
    }

    /// 301, 302 and 303 after a POST go on as GET without the body (browsers, curl); 307
    /// keeps the method and body.
    @Test func redirectsAfterAPostFollowCurlsRules() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile([301, 302, 303, 307].map { "\(server.baseURL)/redirect-code/\($0)" }.joined(separator: "\n"))
        let (records, echoes, _) = try Self.echoes(["-d", "k=v", list.path])
        #expect(records.all.allSatisfy { $0["redirects"] as? Int == 1 })
        for line in 1...3 {
            #expect(echoes[line]?.method == "GET", "line \(line)")
            #expect(echoes[line]?.body == "", "line \(line)")
        }
        #expect(echoes[4]?.method == "POST")
        #expect(echoes[4]?.body == "k=v")
    }

    /// Each line's method and body are its own, on a handle reused from the line before.
    @Test func jsonLinesRequestsAreEachTheirOwn() async throws {
        let server = try await Fixture.server()
        let echo = "\(server.baseURL)/echo"
        let list = try TemporaryFile("""
            {"url": "\(echo)?1", "method": "PATCH", "headers": {"X-Id": "one", "Accept": null}, "json": {"n": [1, 2.0]}}
            {"url": "\(echo)?2"}
            {"url": "\(echo)?3", "body": "plain text"}
            {"url": "\(echo)?4", "method": "DELETE"}
            {"url": "\(echo)?5"}
            """)
        let (records, echoes, result) = try Self.echoes(["-j", "1", list.path])
        #expect(result.status == 0)
        #expect(records.lines == [1, 2, 3, 4, 5])
        #expect(echoes[1]?.method == "PATCH")
        #expect(echoes[1]?.body == #"{"n": [1, 2.0]}"#)
        #expect(echoes[1]?.headers["x-id"] == "one")
        #expect(echoes[1]?.headers["content-type"] == "application/json")
        // `null` removed the default Accept.
        #expect(echoes[1]?.headers["accept"] == nil)
        for line in [2, 5] {
            #expect(echoes[line]?.method == "GET", "line \(line)")
            #expect(echoes[line]?.body == "", "line \(line)")
            #expect(echoes[line]?.headers["x-id"] == nil, "line \(line)")
            #expect(echoes[line]?.headers["content-type"] == nil, "line \(line)")
        }
        #expect(echoes[3]?.method == "POST")
        #expect(echoes[3]?.body == "plain text")
        #expect(echoes[4]?.method == "DELETE")
        // The record's url is the line's url.
        #expect(records[2]?["url"] as? String == "\(echo)?2")
    }

    @Test func metaIsCopiedByteForByte() async throws {
        let server = try await Fixture.server()
        let metas = [
            #"{"id": 17, "tags": ["a", {"deep": {"er": [null, true, false]}}]}"#,
            #""caf\u00e9 é 😀 \ud83d\ude00 \"quoted\"""#,
            #"[1.50, -0, 1e300, 12345678901234567890, 0.1E-7]"#,
            #"{"spaced" :  [ 1 ,2 ]  }"#,
        ]
        let lines = metas.enumerated().map { #"{"meta": \#($1), "url": "\#(server.baseURL)/status/204?\#($0)"}"# }
        let list = try TemporaryFile(lines.joined(separator: "\n") + "\n")
        let result = try Parfetch.run(["-q", "--ordered", list.path])
        #expect(result.status == 0)
        let outputLines = result.stdout.split(separator: "\n").map(String.init)
        #expect(outputLines.count == metas.count)
        for (line, meta) in zip(outputLines, metas) {
            #expect(line.contains(#","meta":\#(meta),"#), "\(line)")
        }
        // And the output is still JSON, every line.
        let records = try Records(result.stdout)
        #expect(records.all.allSatisfy { $0["status"] as? Int == 204 })
    }

    @Test func aBadLineIsAnErrorRecordAndTheRunGoesOn() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("""
            {"url": "\(server.baseURL)/status/204"}
            {"url": "\(server.baseURL)/status/204", "meta": {"id": 2}, "method": "BAD METHOD"}
            not json at all
            {"url": 5}
            {"url": "\(server.baseURL)/status/204", "body": "x", "json": 1}
            {"url": "\(server.baseURL)/status/204", "extra": 1}
            {"url": "\(server.baseURL)/status/204"} trailing
            {"url": "\(server.baseURL)/status/204", "meta": {"id": 8}}
            """)
        let result = try Parfetch.run(["-q", list.path])
        #expect(result.status == 0)
        let records = try Records(result.stdout)
        #expect(records.lines == Array(1...8))
        for line in 2...7 {
            #expect(records.kind(line) == "invalid_input", "line \(line)")
        }
        #expect(records[1]?["status"] as? Int == 204)
        #expect(records[8]?["status"] as? Int == 204)
        // What could be read of a bad line is kept: its meta and url.
        #expect((records[2]?["meta"] as? [String: Int])?["id"] == 2)
        #expect(records[2]?["url"] as? String == "\(server.baseURL)/status/204")
        #expect(records[3]?["url"] as? String == "not json at all")
        let message = { (line: Int) in (records[line]?["error"] as? [String: Any])?["message"] as? String ?? "" }
        #expect(message(2).contains("method 'BAD METHOD'"))
        #expect(message(5).contains("body or json"))
        #expect(message(6).contains("unknown key 'extra'"))
        #expect(message(7).contains("text after the JSON object"))
        // Forced the other way, the same list is URLs: the JSON lines are not URLs.
        let asLines = try Records(try Parfetch.run(["-q", "--input-format", "lines", list.path]).stdout)
        #expect(asLines.kind(1) == "invalid_url")
    }

    @Test func resumeWorksOnJSONLines() async throws {
        let server = try await Fixture.server()
        let lines = (1...6).map { #"{"url": "\#(server.baseURL)/status/204?resume-jsonl=\#($0)", "meta": \#($0)}"# }
            + ["{broken"]
        let list = try TemporaryFile(lines.joined(separator: "\n") + "\n")
        let output = try TemporaryFile("")
        #expect(try Parfetch.run(["-q", "--ordered", "-o", output.path, list.path]).status == 0)
        // Keep the first three records, as if the run had stopped there.
        let kept = try String(contentsOfFile: output.path, encoding: .utf8).split(separator: "\n").prefix(3)
        try (kept.joined(separator: "\n") + "\n").write(toFile: output.path, atomically: true, encoding: .utf8)
        server.resetStats()
        let resumed = try Parfetch.run(["-q", "--resume", "-o", output.path, list.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let resumedURIs = server.requestLog().map(\.uri).filter { $0.contains("resume-jsonl") }
        #expect(resumedURIs.sorted() == (4...6).map { "/status/204?resume-jsonl=\($0)" })
        let records = try Records(try String(contentsOfFile: output.path, encoding: .utf8))
        #expect(records.lines == Array(1...7))
        #expect(records[5]?["meta"] as? Int == 5)
        #expect(records.kind(7) == "invalid_input")
        // A list that differs from the records is still refused.
        let other = try TemporaryFile(lines.reversed().joined(separator: "\n") + "\n")
        #expect(try Parfetch.run(["-q", "--resume", "-o", output.path, other.path]).status == 2)
    }

    @Test func chosenResponseHeadersAndValidatorsAreRecorded() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("\(server.baseURL)/etag/headers-test\n\(server.baseURL)/page/about.txt\n")
        let records = try Records(try Parfetch.run(["-q", "--header-fields", "Content-Type, ETag,x-absent", list.path]).stdout)
        let headers = try #require(records[1]?["headers"] as? [String: String])
        #expect(headers == ["content-type": "text/html; charset=utf-8", "etag": #""headers-test-v1""#])
        #expect(records[1]?["etag"] as? String == #""headers-test-v1""#)
        #expect(records[1]?["last_modified"] as? String == "Wed, 01 Jan 2025 00:00:00 GMT")
        #expect(records[2]?["headers"] as? [String: String] == ["content-type": "text/plain"])
        #expect(records[2]?["etag"] == nil)
        // Without --header-fields there is no headers object.
        let plain = try Records(try Parfetch.run(["-q", list.path]).stdout)
        #expect(plain[1]?["headers"] == nil)
    }

    @Test func sinceAsksConditionallyAndA304IsNotModified() async throws {
        let server = try await Fixture.server()
        let tag = UUID().uuidString.prefix(8)
        let list = try TemporaryFile(["a", "b"].map { "\(server.baseURL)/etag/since-\(tag)-\($0)" }.joined(separator: "\n")
            + "\n\(server.baseURL)/echo\n")
        let earlier = try TemporaryFile("")
        #expect(try Parfetch.run(["-q", "-o", earlier.path, list.path]).status == 0)
        server.touch("since-\(tag)-b")
        let (records, echoes, result) = try Self.echoes(["--since", earlier.path, list.path])
        #expect(result.status == 0)
        #expect(records[1]?["status"] as? Int == 304)
        #expect(records[1]?["not_modified"] as? Bool == true)
        #expect(records[1]?["title"] == nil)
        #expect(records[2]?["status"] as? Int == 200)
        #expect(records[2]?["not_modified"] == nil)
        #expect(records[2]?["etag"] as? String == "\"since-\(tag)-b-v2\"")
        // A URL without validators is asked plainly.
        #expect(echoes[3]?.headers["if-none-match"] == nil)
        #expect(echoes[3]?.headers["if-modified-since"] == nil)
        // The output of a --since run feeds the next one, into the same file.
        #expect(try Parfetch.run(["-q", "--since", earlier.path, "-o", earlier.path, list.path]).status == 0)
        let again = try Records(try Parfetch.run(["-q", "--since", earlier.path, list.path]).stdout)
        #expect(again[1]?["status"] as? Int == 304)
        #expect(again[2]?["status"] as? Int == 304)
    }

    @Test func failExitSaysSomethingFailedOnceTheRunIsComplete() async throws {
        let server = try await Fixture.server()
        let good = try TemporaryFile("\(server.baseURL)/status/204\n")
        let http = try TemporaryFile("\(server.baseURL)/status/204\n\(server.baseURL)/status/404\n")
        let transport = try TemporaryFile("\(server.baseURL)/status/204\nhttp://127.0.0.1:1/\n")
        #expect(try Parfetch.run(["-q", "--fail-exit", good.path]).status == 0)
        #expect(try Parfetch.run(["-q", http.path]).status == 0)
        let failed = try Parfetch.run(["-q", "--fail-exit", http.path])
        #expect(failed.status == 22)
        // Every line still has its record.
        #expect(try Records(failed.stdout).lines == [1, 2])
        #expect(try Parfetch.run(["-q", "--fail-exit", "--retries", "0", transport.path]).status == 22)
    }
}
