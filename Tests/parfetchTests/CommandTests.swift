import FixtureServer
import Foundation
import Testing

/// The built `parfetch` binary, run as a user would, against the in-process fixture server.
@Suite("parfetch command", .timeLimit(.minutes(1)))
struct CommandTests {
    @Test func helpAndVersion() throws {
        let help = try Parfetch.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: parfetch"))
        #expect(help.stdout.contains("--concurrency"))
        let version = try Parfetch.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test(arguments: [
        (["-j", "0", "list.txt"], "--concurrency"),
        (["--timeout", "-1", "list.txt"], "--timeout"),
        (["--max-size", "lots", "list.txt"], "max-size"),
        (["-H", "NoColonHere", "list.txt"], "--header"),
        (["--no-such-flag", "list.txt"], "no-such-flag"),
        (["--per-host", "0", "list.txt"], "--per-host"),
        (["--rate", "0", "list.txt"], "--rate"),
        (["--delay", "-1", "list.txt"], "--delay"),
        (["--retries", "-1", "list.txt"], "--retries"),
        (["--stall-timeout", "0", "list.txt"], "--stall-timeout"),
        (["--lookahead", "0", "list.txt"], "--lookahead"),
        (["--max-links", "-1", "list.txt"], "--max-links"),
    ])
    func badUsageExitsTwoWithOneClearLine(arguments: [String], mentions: String) throws {
        let result = try Parfetch.run(arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").first?.contains(mentions) == true)
    }

    /// A value an option can't take gets one line saying what it must be. A negative number
    /// is a value, not an option: it reaches the option's check (ArgumentParser alone reads
    /// `-5` as a missing value).
    @Test(arguments: [
        ("-j -5", "--concurrency must be from 1 to 100000 (got -5)"),
        ("--concurrency -5", "--concurrency must be from 1 to 100000 (got -5)"),
        ("--grace -1", "--grace must be from 0 to 86400 seconds (got -1)"),
        ("--per-host -2", "--per-host must be from 1 to 100000 (got -2)"),
        ("--rate -1", "--rate must be more than 0 and at most 1000000 requests per second (got -1)"),
        ("--delay -1", "--delay must be from 0 to 86400 seconds (got -1)"),
        ("--retries -1", "--retries must be from 0 to 100 (got -1)"),
        ("--max-retry-wait -1", "--max-retry-wait must be from 0 to 86400 seconds (got -1)"),
        ("--host-errors -1", "--host-errors must be 0 (never) or more (got -1)"),
        ("--lookahead -1", "--lookahead must be from 1 to 10000000 lines (got -1)"),
        ("--timeout -1", "--timeout must be more than 0 and at most 604800 seconds (got -1)"),
        ("--connect-timeout -1", "--connect-timeout must be more than 0 and at most 604800 seconds (got -1)"),
        ("--stall-timeout -1", "--stall-timeout must be more than 0 and at most 604800 seconds (got -1)"),
        ("--max-redirects -1", "--max-redirects must be from 0 to 1000 (got -1)"),
        ("--max-size -1", "--max-size must be more than 0 bytes (got -1)"),
        ("--parse-workers -1", "--parse-workers must be from 1 to 1024 (got -1)"),
        ("--max-links -1", "--max-links must be 0 (no limit) or more (got -1)"),
        // Values libcurl's units or ByteSize's forms don't allow.
        ("--stall-timeout 1.5", "--stall-timeout must be whole seconds, libcurl's unit (got 1.5)"),
        ("--max-size 10MB", "--max-size must be a number of bytes, with K, M or G for KiB, MiB or GiB: 500, 64K, 1.5M, 2G (got 10MB)"),
        ("--max-size 10KiB", "--max-size must be a number of bytes, with K, M or G for KiB, MiB or GiB: 500, 64K, 1.5M, 2G (got 10KiB)"),
    ])
    func aValueTheOptionCantTakeSaysWhatItMustBe(optionAndValue: String, message: String) throws {
        let result = try Parfetch.run(optionAndValue.split(separator: " ").map(String.init) + ["list.txt"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").first.map(String.init) == "parfetch: \(message)")
    }

    @Test(arguments: [
        (["--select", "price=span.price[", "list.txt"], "invalid CSS selector for 'price': span.price[: "),
        (["--xpath", "n=//a[", "list.txt"], "invalid XPath for 'n': //a[: "),
        (["--select", "a=a", "--xpath", "a=//a", "list.txt"], "extraction name 'a' is used twice"),
        (["--no-parse", "--select", "a=a", "list.txt"], "--select and --xpath need parsing"),
    ])
    func badExtractionExitsTwoBeforeFetching(arguments: [String], message: String) throws {
        let result = try Parfetch.run(arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("parfetch: \(message)"))
    }

    @Test func pagesAreParsedUnlessNoParse() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("\(server.baseURL)/page/products.html\n\(server.baseURL)/page/about.txt\n")
        let parsed = try Records(try Parfetch.run([
            "--select", "price=span.price::text", "--select", "first=.product:first-child h2",
            "--xpath", "skus=//div[@class='product']/@data-sku", list.path,
        ]).stdout)
        let page = try #require(parsed[1])
        #expect(page["title"] is String)
        #expect((page["links"] as? [String])?.isEmpty == false)
        let extract = try #require(page["extract"] as? [String: [String]])
        #expect(extract["price"]?.isEmpty == false)
        #expect(extract["skus"]?.isEmpty == false)
        #expect(Array(extract.keys).sorted() == ["first", "price", "skus"])
        // Plain text has no page fields.
        #expect(parsed[2]?["links"] == nil)
        #expect(parsed[2]?["ok"] as? Bool == true)

        let unparsed = try Records(try Parfetch.run(["--no-parse", list.path]).stdout)
        for key in ["title", "description", "lang", "canonical", "links", "extract"] {
            #expect(unparsed[1]?[key] == nil)
        }
        #expect(unparsed[1]?["ok"] as? Bool == true)
    }

    @Test func unreadableListExitsTwo() throws {
        let result = try Parfetch.run(["/nonexistent/urls.txt"])
        #expect(result.status == 2)
        #expect(result.stderr == "parfetch: cannot read /nonexistent/urls.txt: No such file or directory\n")
        #expect(result.stdout.isEmpty)
    }

    @Test func unwritableOutputExitsOne() async throws {
        let list = try TemporaryFile("http://127.0.0.1:1/\n")
        let result = try Parfetch.run(["-o", "/nonexistent/dir/out.jsonl", list.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot open /nonexistent/dir/out.jsonl"))
    }

    @Test func fileToStdoutOneRecordPerLine() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("""
            # comment
            \(server.baseURL)/page/about.txt

            \(server.baseURL)/status/503
            mailto:someone@example.test
            \(server.baseURL)/bytes/5000
            """)
        let result = try Parfetch.run(["--max-size", "1K", list.path])
        #expect(result.status == 0)
        #expect(result.stderr.hasPrefix("4 records in "))
        let records = try Records(result.stdout)
        #expect(records.lines == [2, 4, 5, 6])
        #expect(records[2]?["ok"] as? Bool == true)
        #expect(records[4]?["status"] as? Int == 503)
        #expect(records[4]?["attempts"] as? Int == 3)
        #expect(records.kind(5) == "unsupported_scheme")
        #expect(records.kind(6) == "too_large")
    }

    @Test func stdinToOutputFile() async throws {
        let server = try await Fixture.server()
        let output = try TemporaryFile("")
        let input = (1...300).map { "\(server.baseURL)/bytes/\($0)" }.joined(separator: "\n")
        let result = try Parfetch.run(["-j", "200", "-", "-o", output.path], stdin: input)
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        let records = try Records(String(contentsOfFile: output.path, encoding: .utf8))
        #expect(records.lines == Array(1...300))
        #expect(records.all.allSatisfy { $0["ok"] as? Bool == true })
    }

    @Test func proxyFlagIsUsed() async throws {
        // Nothing listens on proxied.localhost:1; only the proxy (the fixture server, which
        // routes absolute-form requests by path) can answer.
        let server = try await Fixture.server()
        let list = try TemporaryFile("http://proxied.localhost:1/status/204\n")
        let direct = try Records(try Parfetch.run([list.path]).stdout)
        #expect(direct.kind(1) == "connect")
        let proxied = try Records(try Parfetch.run(["--proxy", server.baseURL, list.path]).stdout)
        #expect(proxied[1]?["status"] as? Int == 204)
        #expect(proxied[1]?["ok"] as? Bool == true)
    }

    @Test(arguments: [
        ("bogus://x", #"--proxy bogus://x: scheme "bogus" is not one libcurl's proxies speak (http, https, socks4, socks4a, socks5, socks5h)"#),
        ("http://", "--proxy http://: No host part in the URL"),
    ])
    func aProxyURLLibcurlCantUseIsAUsageError(proxy: String, message: String) throws {
        let result = try Parfetch.run(["--proxy", proxy, "list.txt"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").first.map(String.init) == "parfetch: \(message)")
    }

    @Test func aProxyThatRefusesIsNamedAsTheProxy() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("\(server.baseURL)/status/204\n")
        let result = try Parfetch.run(["--proxy", "http://user:secret@127.0.0.1:1", "--retries", "0", list.path])
        let records = try Records(result.stdout)
        #expect(result.status == 0)
        #expect(records.kind(1) == "connect")
        let message = try #require((records[1]?["error"] as? [String: Any])?["message"] as? String)
        // Named without its password.
        #expect(message.hasPrefix("proxy http://127.0.0.1:1: "))
        #expect(!message.contains("secret"))
    }

    @Test func concurrencyFlagHoldsAtTheServer() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let list = try TemporaryFile((1...200).map { "\(server.baseURL)/delay/50?i=\($0)" }.joined(separator: "\n"))
        let result = try Parfetch.run(["-j", "8", list.path])
        let stats = server.stats()
        try await server.shutdown()
        #expect(result.status == 0)
        #expect(try Records(result.stdout).lines.count == 200)
        #expect(stats.requests == 200)
        #expect(stats.maxInFlight <= 8)
        #expect(stats.maxInFlight >= 6)
    }

    @Test func interruptWritesRecordsForTransfersInFlightAndExits130() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let lines = (1...100).map { "\(server.baseURL)/hang?i=\($0)" }
        let run = try interrupt(lines, ["-j", "20", "--per-host", "20", "--grace", "1"], server: server, inFlight: 20, signals: 1)
        #expect(run.status == 130)
        #expect(run.records.all.count == 20)
        #expect(Set(run.records.lines).count == 20)
        #expect(run.records.all.allSatisfy { ($0["error"] as? [String: Any])?["kind"] as? String == "interrupted" })
        try await waitUntilServer { server.stats().inFlight == 0 }
        #expect(server.stats().requests == 20)
        try await server.shutdown()
    }

    /// Starts parfetch on `lines`, waits until the server has `inFlight` requests, then sends
    /// SIGINT `signals` times; returns the exit status, the records and the seconds from the
    /// first signal to the exit.
    func interrupt(_ lines: [String], _ arguments: [String], server: FixtureServer, inFlight: Int,
                   signals: Int) throws -> (status: Int32, records: Records, seconds: Double, stderr: String) {
        let list = try TemporaryFile(lines.joined(separator: "\n"))
        let process = Process()
        process.executableURL = Parfetch.binary
        process.arguments = arguments + [list.path]
        let stdout = Pipe()
        process.standardOutput = stdout
        let stderr = Pipe()
        process.standardError = stderr
        let output = Parfetch.Reader(stdout.fileHandleForReading)
        let errors = Parfetch.Reader(stderr.fileHandleForReading)
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while server.stats().inFlight < inFlight && ContinuousClock.now < deadline { usleep(10_000) }
        let start = ContinuousClock.now
        for _ in 0..<signals {
            process.interrupt()
            usleep(200_000)
        }
        try Parfetch.wait(process, limit: .seconds(20))
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (process.terminationStatus, try Records(output.text()), seconds, errors.text())
    }

    @Test func transfersInFlightFinishWithinTheGrace() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let lines = (1...30).map { "\(server.baseURL)/delay/1500?i=\($0)" }
        let run = try interrupt(lines, ["-j", "10", "--per-host", "10"], server: server, inFlight: 10, signals: 1)
        #expect(run.status == 130)
        // The 10 in flight finished (well within the 5 s grace); the 20 never started have no record.
        #expect(run.records.all.count == 10)
        #expect(run.records.all.allSatisfy { $0["ok"] as? Bool == true })
        #expect(run.seconds < 4)
        #expect(run.stderr.hasPrefix("10 records in "))
        #expect(run.stderr.hasSuffix("\nparfetch: interrupted: 10 records written; lines never started have none\n"))
        #expect(server.stats().requests == 10)
        try await server.shutdown()
    }

    @Test func aSecondInterruptSkipsTheGrace() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let lines = (1...40).map { "\(server.baseURL)/hang?i=\($0)" }
        let run = try interrupt(lines, ["-j", "20", "--per-host", "20", "--grace", "60"], server: server, inFlight: 20, signals: 2)
        #expect(run.status == 130)
        #expect(run.records.all.count == 20)
        #expect(run.records.all.allSatisfy { ($0["error"] as? [String: Any])?["kind"] as? String == "interrupted" })
        #expect(run.seconds < 3)
        try await server.shutdown()
    }

    /// With only 256 descriptors allowed (soft and hard), -j 1000 is capped, said in one line,
    /// and every URL still gets its record.
    @Test func concurrencyIsCappedToTheOpenFileLimit() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile((1...300).map { "\(server.baseURL)/delay/20?n=\($0)" }.joined(separator: "\n"))
        let result = try Parfetch.shell("ulimit -n 256 && exec \"$0\" -j 1000 --per-host 1000 \"$1\"", [list.path])
        #expect(result.status == 0)
        let messages = result.stderr.split(separator: "\n")
        #expect(messages.first == "parfetch: -j 1000 needs more open files than the limit of 256 allows; using -j 64")
        #expect(messages.dropFirst().first?.hasPrefix("300 records in ") == true)
        let records = try Records(result.stdout)
        #expect(records.lines == Array(1...300))
        #expect(records.all.allSatisfy { $0["ok"] as? Bool == true })
    }

    @Test func slowStandardInputIsFollowed() async throws {
        // Lines trickle in: the loop runs out of work and must be woken for each new line.
        let server = try await Fixture.server()
        let process = Process()
        process.executableURL = Parfetch.binary
        process.arguments = ["-"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        let output = Parfetch.Reader(stdout.fileHandleForReading)
        try process.run()
        for index in 1...20 {
            stdin.fileHandleForWriting.write(Data("\(server.baseURL)/status/200?i=\(index)\n".utf8))
            usleep(20_000)
        }
        try stdin.fileHandleForWriting.close()
        try Parfetch.wait(process, limit: .seconds(10))
        #expect(process.terminationStatus == 0)
        #expect(try Records(output.text()).lines == Array(1...20))
    }

    /// A reader gone away is not a failure: status 0, nothing on standard error, and
    /// --stats-json counts what was written (at least what the reader took; not the list).
    @Test func closedOutputPipeStopsTheRunQuietly() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile((1...5000).map { "\(server.baseURL)/delay/20?i=\($0)" }.joined(separator: "\n"))
        let stats = try TemporaryFile("")
        let process = Process()
        process.executableURL = Parfetch.binary
        process.arguments = ["-j", "10", "--stats-json", stats.path, list.path]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read three lines, then close the pipe as `head -n 3` does.
        var received = Data()
        while received.split(separator: UInt8(ascii: "\n")).count < 3 {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        try stdout.fileHandleForReading.close()
        let start = ContinuousClock.now
        try Parfetch.wait(process, limit: .seconds(10))
        #expect(ContinuousClock.now - start < .seconds(2 * Parfetch.slowdown))
        #expect(received.split(separator: UInt8(ascii: "\n")).count >= 3)
        #expect(stderr.fileHandleForReading.readDataToEndOfFile().isEmpty)
        #expect(process.terminationStatus == 0)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stats.path))) as? [String: Any])
        let records = try #require(summary["records"] as? Int)
        #expect(records >= 3 && records < 5000)
        #expect(summary["interrupted"] as? Bool == false)
    }

    /// The shell pipeline itself: `parfetch big-list | head -n 3` prints three records and
    /// ends within 2 s with status 0 (head's), and nothing on standard error.
    @Test func headOfAPipelineEndsPromptly() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile((1...20_000).map { "\(server.baseURL)/delay/20?head=\($0)" }.joined(separator: "\n"))
        let start = ContinuousClock.now
        let result = try Parfetch.shell("\"$0\" -j 20 \"$1\" | head -n 3", [list.path], limit: .seconds(10))
        #expect(ContinuousClock.now - start < .seconds(2 * Parfetch.slowdown))
        #expect(result.status == 0)
        #expect(try Records(result.stdout).all.count == 3)
        #expect(result.stderr.isEmpty)
    }

    /// A 1 MB gzip body that inflates to 1 GiB: `too_large`, with memory bounded by the
    /// size limit (64 MiB by default), not by what the body would inflate to.
    @Test func decompressionBombIsStoppedWithMemoryBounded() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("\(server.baseURL)/gzip-bomb/1G\n")
        let (result, peak) = try PeakRSS.run([list.path], limit: .seconds(50))
        #expect(try Records(result.stdout).kind(1) == "too_large")
        if Parfetch.measuresMemory {
            #expect(peak < 200 * 1024, "peak RSS \(peak) KiB")
        }
    }
}

/// Polls `condition` every 10 ms for up to 5 s.
func waitUntilServer(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while !condition() && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
    }
    #expect(condition())
}

/// What the command says about a -j that one host's --per-host keeps from filling.
@Suite("parfetch command: idle slots", .timeLimit(.minutes(1)))
struct IdleSlotsTests {
    @Test func aListOfOneHostSaysPerHostHeldTheSlots() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile((1...60).map { "\(server.baseURL)/delay/20?i=\($0)" }.joined(separator: "\n") + "\n")
        let held = try Parfetch.run(["-j", "30", list.path])
        #expect(held.status == 0)
        #expect(held.stderr.contains(
            "parfetch: -j 30 was not reached: transfer slots sat idle while the one host with URLs waiting had --per-host 6 in flight"))
        // Quiet, or a --per-host that lets -j fill, or several hosts keeping -j busy: nothing.
        #expect(!(try Parfetch.run(["-q", "-j", "30", list.path]).stderr.contains("was not reached")))
        #expect(!(try Parfetch.run(["-j", "30", "--per-host", "30", list.path]).stderr.contains("was not reached")))
        #expect(!(try Parfetch.run(["-j", "6", list.path]).stderr.contains("was not reached")))
    }
}

/// A Retry-After longer than --max-retry-wait: not retried, and the record and stderr say why.
@Suite("parfetch command: Retry-After over the limit", .timeLimit(.minutes(1)))
struct RetryAfterTests {
    @Test func aRetryAfterOverTheLimitIsInTheRecordAndOnStandardError() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("\(server.baseURL)/flaky?fail=1&status=429&retry-after=120&id=ra\(UInt32.random(in: 0...UInt32.max))\n")
        let result = try Parfetch.run([list.path])
        #expect(result.status == 0)
        let record = try #require(try Records(result.stdout)[1])
        #expect(record["status"] as? Int == 429)
        #expect(record["attempts"] as? Int == 1)
        #expect(record["retry_after"] as? Double == 120)
        #expect(result.stderr.contains("parfetch: 1 URL was not retried: the server asked to wait up to 120 s "
            + "(Retry-After), more than --max-retry-wait 60 s; see retry_after in the records"))
        #expect(!(try Parfetch.run(["-q", list.path]).stderr.contains("not retried")))
    }
}
