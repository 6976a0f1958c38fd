import FixtureServer
import Foundation
import Testing

/// The progress line and the run summary: what a person watching the terminal sees.
@Suite struct ReportingTests {
    /// Runs parfetch with its standard error on a pseudo-terminal (as in an interactive
    /// shell) and its standard output on a pipe; returns what each received.
    /// `typed`: standard input is the terminal too, and this is typed on it.
    static func runOnTerminal(_ arguments: [String], columns: Int = 120, interruptAfter: Duration? = nil,
                              stdin: String? = nil, typed: String? = nil) throws -> (status: Int32, stdout: String, terminal: String) {
        // What posix_openpt, unlockpt and ptsname do (Swift's Glibc module leaves them out):
        // TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30, unsigned int).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try #require(master >= 0)
        defer { close(master) }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        try #require(ioctl(master, 0x4004_5431, &unlock) == 0 && ioctl(master, 0x8004_5430, &number) == 0)
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        try #require(slave >= 0)
        var size = winsize(ws_row: 24, ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
        let process = Process()
        process.executableURL = Parfetch.binary
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        let input = Pipe()
        process.standardInput = typed != nil ? FileHandle(fileDescriptor: slave, closeOnDealloc: false)
            : stdin == nil ? FileHandle.nullDevice : input
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["TERM"] = "xterm"
        process.environment = environment
        try process.run()
        close(slave)
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        if let typed {
            // Typed after the command started reading: the terminal's line discipline hands it over.
            Thread.sleep(forTimeInterval: 0.5)
            _ = typed.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) }
        }
        if let interruptAfter {
            Thread.sleep(forTimeInterval: Double(interruptAfter.components.seconds)
                + Double(interruptAfter.components.attoseconds) / 1e18)
            kill(process.processIdentifier, SIGINT)
        }
        let stdout = Parfetch.Reader(output.fileHandleForReading)
        // The master reads until every holder of the slave closed it (EIO).
        let terminal = TerminalReader(master)
        try Parfetch.wait(process, limit: .seconds(60))
        return (process.terminationStatus, stdout.text(), terminal.text())
    }

    /// Drains a pseudo-terminal's master side on a background thread.
    final class TerminalReader: @unchecked Sendable {
        // Written by the background thread before `done` is signalled, read after waiting on it.
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ fd: Int32) {
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let got = read(fd, &buffer, buffer.count)
                    if got < 0 && errno == EINTR { continue }
                    guard got > 0 else { break }
                    data.append(contentsOf: buffer[0..<got])
                }
                done.signal()
            }
        }

        func text() -> String {
            done.wait()
            return String(decoding: data, as: UTF8.self)
        }
    }

    static func slowList(_ server: FixtureServer, count: Int = 24) throws -> TemporaryFile {
        try TemporaryFile((1...count).map { "\(server.baseURL)/delay/150?i=\($0)" }.joined(separator: "\n"))
    }

    @Test func progressLineIsDrawnOnATerminalAndCleared() async throws {
        let server = try await Fixture.server()
        let list = try Self.slowList(server)
        let run = try Self.runOnTerminal(["-j", "3", "--per-host", "3", list.path], columns: 100)
        #expect(run.status == 0)
        #expect(try Records(run.stdout).all.count == 24)
        // Redrawn in place: carriage return, the line, erase to the end of the row.
        let draws = run.terminal.components(separatedBy: "\r").filter { $0.contains("in flight") }
        #expect(draws.count >= 3)
        for draw in draws {
            #expect(draw.hasSuffix("\u{1B}[K"))
            #expect(draw.count - 3 < 100, "the line fits the terminal's 100 columns")
            #expect(draw.contains("/24"), "the total is known for a file")
            #expect(!draw.contains("\u{1B}[3"), "NO_COLOR: no colors")
        }
        // Erased before the summary, which follows on a clean row.
        let summary = try #require(run.terminal.range(of: "24 records in"))
        let beforeSummary = run.terminal[..<summary.lowerBound]
        #expect(beforeSummary.hasSuffix("\r\u{1B}[K"))
        // Nothing of it on standard output.
        #expect(!run.stdout.contains("\u{1B}") && !run.stdout.contains("\r"))
    }

    /// `parfetch -` on a terminal reads what is typed until Ctrl-D, as cat does, and says so.
    @Test func standardInputOnATerminalIsReadUntilControlD() async throws {
        let server = try await Fixture.server()
        let run = try Self.runOnTerminal(["-"], typed: "\(server.baseURL)/status/204?typed\n\u{04}")
        #expect(run.status == 0)
        #expect(run.terminal.contains("parfetch: reading URLs from the terminal, one a line; end with Ctrl-D"))
        #expect(try Records(run.stdout).all.first?["url"] as? String == "\(server.baseURL)/status/204?typed")
        // Without `-`, a terminal on standard input is a usage error.
        #expect(try Self.runOnTerminal([], typed: "").status == 2)
    }

    /// Ctrl-C: the line says the run is stopping, and how to cut it short.
    @Test func anInterruptedRunSaysItIsStopping() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile((1...20).map { "\(server.baseURL)/delay/1500?s=\($0)" }.joined(separator: "\n"))
        let run = try Self.runOnTerminal(["-j", "4", "--per-host", "4", list.path], columns: 120,
                                         interruptAfter: .milliseconds(600))
        #expect(run.status == 130)
        let draws = run.terminal.components(separatedBy: "\r")
        #expect(draws.contains { $0.contains("stopping: 4 in flight finishing (Ctrl-C again to cut them)") },
                "\(run.terminal)")
        #expect(run.terminal.contains("parfetch: interrupted: 4 records written"))
    }

    /// Without a total (standard input) the time shown is labelled; a narrow terminal keeps
    /// the time and cuts the byte count instead; waiting retries are counted.
    @Test func theLineSaysWhatItsFiguresAre() async throws {
        let server = try await Fixture.server()
        let id = UInt32.random(in: 0...UInt32.max)
        let lines = (1...3).map { "\(server.baseURL)/flaky?fail=1&status=503&retry-after=1&id=\(id)-\($0)" }
            + (1...6).map { "\(server.baseURL)/delay/300?e=\($0)" }
        let run = try Self.runOnTerminal(["-j", "3", "--per-host", "3", "-"], columns: 60,
                                         stdin: lines.joined(separator: "\n") + "\n")
        #expect(run.status == 0)
        let draws = run.terminal.components(separatedBy: "\r").filter { $0.contains("done") }
        #expect(!draws.isEmpty)
        #expect(draws.allSatisfy { $0.contains("elapsed 0:0") }, "\(draws)")
        #expect(draws.contains { $0.contains("3 retrying") }, "\(draws)")
        #expect(draws.allSatisfy { $0.count - 3 < 60 })
    }

    /// `--progress always` into a file: the same fixed width, and no color codes whatever the
    /// environment says.
    @Test func progressIntoAFileIsPlain() async throws {
        let server = try await Fixture.server()
        let list = try Self.slowList(server, count: 8)
        let result = try Parfetch.run(["--progress", "always", "-j", "2", "--per-host", "2", list.path])
        let draws = result.stderr.components(separatedBy: "\r").filter { $0.contains("in flight") }
        #expect(!draws.isEmpty)
        #expect(!result.stderr.contains("\u{1B}[3"))
        #expect(draws.allSatisfy { $0.count - 3 < 80 })
    }

    @Test func oneOfAThingIsSingular() async throws {
        let server = try await Fixture.server()
        let result = try Parfetch.run(["\(server.baseURL)/status/204?one"])
        #expect(result.stderr.hasPrefix("1 record in "))
        #expect(result.stderr.contains("\n1 request (") && result.stderr.contains("over 1 record)"))
    }

    @Test func noProgressWhenStandardErrorIsNotATerminal() async throws {
        let server = try await Fixture.server()
        let list = try Self.slowList(server, count: 12)
        let result = try Parfetch.run(["-j", "2", "--per-host", "2", list.path])
        #expect(result.status == 0)
        #expect(!result.stderr.contains("\u{1B}") && !result.stderr.contains("\r") && !result.stderr.contains("in flight"))
        #expect(result.stderr.hasPrefix("12 records in"))
    }

    /// The progress line never reaches the records: the same run's standard output is byte
    /// for byte the same with it forced on (fields without timings, in input order).
    @Test func standardOutputIsTheSameWithProgressAlways() async throws {
        let server = try await Fixture.server()
        let list = try Self.slowList(server, count: 12)
        let arguments = ["-j", "2", "--per-host", "2", "--ordered", "--fields", "line,url,status,ok,bytes", list.path]
        let drawn = try Parfetch.run(["--progress", "always"] + arguments)
        let plain = try Parfetch.run(["--progress", "never"] + arguments)
        #expect(drawn.status == 0 && plain.status == 0)
        #expect(drawn.stderr.contains("\r") && drawn.stderr.contains("in flight"))
        #expect(!plain.stderr.contains("in flight"))
        #expect(Array(drawn.stdout.utf8) == Array(plain.stdout.utf8))
        #expect(try Records(plain.stdout).lines == Array(1...12))
    }

    @Test func quietAndNeverDrawNothingOnATerminal() async throws {
        let server = try await Fixture.server()
        let list = try Self.slowList(server, count: 10)
        let quiet = try Self.runOnTerminal(["-q", "-j", "2", list.path])
        #expect(quiet.status == 0 && quiet.terminal.isEmpty)
        let never = try Self.runOnTerminal(["--progress", "never", "-j", "2", list.path])
        #expect(!never.terminal.contains("in flight") && never.terminal.contains("10 records in"))
    }

    /// The summary is computed from the records: the same counts, and percentiles within 1 %
    /// of those computed from the records' own `time.total` (nearest rank).
    @Test func summaryAgreesWithTheRecords() async throws {
        let server = try await Fixture.server()
        let other = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let refused = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let refusedBase = refused.baseURL
        try await refused.shutdown()
        var lines = (1...60).map { "\(server.baseURL)/delay/\($0 * 5)?n=\($0)" }
        lines += (1...20).map { "\(other.baseURL)/delay/\(200 + $0 * 10)?n=\($0)" }
        lines += ["\(server.baseURL)/status/404", "\(server.baseURL)/status/503", "\(server.baseURL)/redirect/1",
                  "\(server.baseURL)/page/index.html", "not a url", "ftp://127.0.0.1/x", "\(refusedBase)/x",
                  "\(server.baseURL)/page/index.html"]
        let list = try TemporaryFile(lines.joined(separator: "\n"))
        let stats = try TemporaryFile("")
        let result = try Parfetch.run(["-j", "20", "--per-host", "20", "--retries", "1", "--dedupe",
                                       "--stats-json", stats.path, list.path], limit: .seconds(60))
        try await other.shutdown()
        #expect(result.status == 0)
        let records = try Records(result.stdout)
        #expect(records.all.count == lines.count)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stats.path))) as? [String: Any])

        func outcome(_ record: [String: Any]) -> String {
            if let error = record["error"] as? [String: Any] { return error["kind"] as! String }
            if record["duplicate_of"] != nil { return "duplicate" }
            return "\((record["status"] as! Int) / 100)xx"
        }
        let expected = Dictionary(grouping: records.all, by: outcome).mapValues(\.count)
        #expect(json["outcomes"] as? [String: Int] == expected)
        #expect(expected["5xx"] == 1 && expected["4xx"] == 1 && expected["3xx"] == nil && expected["connect"] == 1
                && expected["invalid_url"] == 1 && expected["unsupported_scheme"] == 1 && expected["duplicate"] == 1)
        #expect(json["records"] as? Int == records.all.count)
        #expect(json["requests"] as? Int == records.all.reduce(0) { $0 + ($1["attempts"] as! Int) })
        #expect(json["bytes"] as? Int == records.all.reduce(0) { $0 + ($1["bytes"] as? Int ?? 0) })
        #expect(json["errors"] as? Int == records.all.filter { $0["error"] != nil }.count)
        #expect(json["interrupted"] as? Bool == false)

        let totals = records.all.compactMap { ($0["time"] as? [String: Any])?["total"] as? Double }.sorted()
        let latency = try #require(json["latency"] as? [String: Double])
        #expect(latency["records"] == Double(totals.count))
        for (name, percentile) in [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("max", 100.0)] {
            let rank = max(1, Int((percentile / 100 * Double(totals.count)).rounded(.up)))
            let exact = totals[rank - 1]
            let reported = try #require(latency[name])
            #expect(abs(reported - exact) <= exact * 0.01, "\(name): \(reported) vs \(exact) from the records")
        }
        // The second server's URLs are all slower than the first's.
        let slowest = try #require(json["slowest_host"] as? [String: Any])
        #expect(slowest["host"] as? String == other.baseURL.replacingOccurrences(of: "http://", with: ""))
        #expect(slowest["records"] as? Int == 20)
        // The text summary says the same.
        #expect(result.stderr.hasPrefix("\(lines.count) records in "))
        #expect(result.stderr.contains("1 5xx") && result.stderr.contains("1 connect"))
    }

    @Test func statsFileThatCannotBeWrittenFailsAtOnce() throws {
        let list = try TemporaryFile("http://127.0.0.1:9/x")
        let result = try Parfetch.run(["--stats-json", "/nonexistent/dir/stats.json", list.path])
        #expect(result.status == 1)
        #expect(result.stderr == "parfetch: --stats-json: cannot open /nonexistent/dir/stats.json: No such file or directory\n")
        #expect(result.stdout.isEmpty)
    }
}
