import FixtureServer
import Foundation
import Testing

/// Runs the `parfetch` binary built next to this test bundle.
enum Parfetch {
    /// How much slower than usual the binary may be: `make test-sanitize` sets
    /// PARFETCH_TEST_SLOWDOWN (a sanitizer slows it several times), and the few limits on
    /// how fast something must happen are stretched by it.
    static let slowdown = ProcessInfo.processInfo.environment["PARFETCH_TEST_SLOWDOWN"].flatMap(Double.init) ?? 1
    /// False under a sanitizer (`make test-sanitize` sets PARFETCH_TEST_SANITIZER): its shadow
    /// memory (and ASan's quarantine of freed blocks) is most of a process's peak RSS, so a
    /// peak says nothing of parfetch's own.
    static let measuresMemory = ProcessInfo.processInfo.environment["PARFETCH_TEST_SANITIZER"] == nil

    static var binary: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("parfetch")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs parfetch to completion (killed after `limit`).
    static func run(_ arguments: [String], stdin: String? = nil, limit: Duration = .seconds(30)) throws -> Result {
        try run(executable: binary, arguments, stdin: stdin, limit: limit)
    }

    /// Starts parfetch with `arguments` `times` times, each killed with SIGKILL at a random
    /// moment within `window` microseconds of its start (a crash, as far as it can tell).
    static func killRepeatedly(_ arguments: [String], times: Int, window: ClosedRange<UInt32>) throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<times {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: window, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Whether `record` is final for `--resume`: not `interrupted`.
    static func isFinal(_ record: [String: Any]) -> Bool {
        (record["error"] as? [String: Any])?["kind"] as? String != "interrupted"
    }

    /// Runs `script` with `/bin/sh -c`, with `$0` the parfetch binary and `$1`… `arguments`,
    /// to completion (killed after `limit`).
    static func shell(_ script: String, _ arguments: [String], limit: Duration = .seconds(30)) throws -> Result {
        try run(executable: URL(fileURLWithPath: "/bin/sh"), ["-c", script, binary.path] + arguments, limit: limit)
    }

    /// Runs any program the same way (killed after `limit`).
    static func run(executable: URL, _ arguments: [String], stdin: String? = nil, limit: Duration) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        process.standardInput = input
        try process.run()
        // Read both pipes concurrently so a full pipe never blocks the child.
        let stdoutData = Reader(output.fileHandleForReading)
        let stderrData = Reader(errors.fileHandleForReading)
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        try wait(process, limit: limit)
        return Result(status: process.terminationStatus, stdout: stdoutData.text(), stderr: stderrData.text())
    }

    /// Waits for `process` to exit, killing it (and failing the test) after `limit`.
    static func wait(_ process: Process, limit: Duration) throws {
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                Issue.record("parfetch did not finish within \(limit)")
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
    }

    /// Drains a pipe on a background thread.
    final class Reader: @unchecked Sendable {
        // `data` is written by the background thread before `done` is signalled, and read
        // only after waiting on `done`.
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }

        func text() -> String {
            done.wait()
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// A file removed when the value is released.
final class TemporaryFile {
    let path: String

    init(_ contents: String) throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("parfetch-e2e-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Records parsed from JSON Lines output; every line must be a JSON object.
struct Records {
    let all: [[String: Any]]

    init(_ text: String) throws {
        all = try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(text.isEmpty || text.hasSuffix("\n"))
    }

    var lines: [Int] { all.compactMap { $0["line"] as? Int }.sorted() }

    subscript(line: Int) -> [String: Any]? {
        all.first { $0["line"] as? Int == line }
    }

    func kind(_ line: Int) -> String? {
        (self[line]?["error"] as? [String: Any])?["kind"] as? String
    }
}

/// The in-process fixture server shared by this suite's tests.
enum Fixture {
    private static let shared = Task {
        try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
    }

    static func server() async throws -> FixtureServer {
        try await shared.value
    }
}

/// Runs parfetch under a small Python parent that prints the child's peak resident size:
/// RUSAGE_CHILDREN read in this test process would also count the copy of this (large)
/// process that each child starts as.
enum PeakRSS {
    static let script = """
        import resource, subprocess, sys
        status = subprocess.run(sys.argv[1:]).returncode
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
        sys.exit(status)
        """

    /// The run (its standard error without the last line) and the peak in KiB.
    static func run(_ arguments: [String], limit: Duration = .seconds(60)) throws -> (Parfetch.Result, Int) {
        var result = try Python.run(script, arguments: [Parfetch.binary.path] + arguments, limit: limit)
        var lines = result.stderr.split(separator: "\n")
        let peak = try #require(lines.popLast().flatMap { Int($0) })
        result.stderr = lines.joined(separator: "\n")
        return (result, peak)
    }
}
