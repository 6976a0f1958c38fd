// fixture-server [--host 127.0.0.1] [--port 0] [--pages DIR] [--robots-file PATH | --robots-status CODE]
//
// Serves the fixture routes (see FixtureServer) until SIGINT or SIGTERM. The base URL is the
// first line of stdout, flushed at once, so scripts can start the server and read where it is.
// /robots.txt is 404 unless --robots-file (serve that file) or --robots-status (answer that code).
// Crawl benchmarks need no option: /gen/P/0.html is the root of a generated site of P pages
// (GeneratedSite; bench/crawl.sh), and /crawl/ under Host a.localhost the crawl test site.
// Flags are parsed by hand so the server needs no dependency beyond swift-nio.

import FixtureServer
import Foundation

let usage = """
    usage: fixture-server [--host HOST] [--port PORT] [--pages DIR] [--robots-file PATH | --robots-status CODE]
    """

struct Options {
    var host = "127.0.0.1"
    var port = 0
    var pages = FixtureServer.defaultPagesDirectory
    var robots = FixtureRobots.missing
}

struct UsageError: Error {
    let message: String
}

func parseOptions(_ arguments: ArraySlice<String>) throws(UsageError) -> Options {
    var options = Options()
    var robotsFile: String?
    var robotsStatus: Int?
    var remaining = arguments
    while let argument = remaining.popFirst() {
        // Accept both "--port 80" and "--port=80".
        let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let flag = String(parts[0])
        func value() throws(UsageError) -> String {
            if parts.count == 2 { return String(parts[1]) }
            guard let next = remaining.popFirst() else { throw UsageError(message: "\(flag) needs a value") }
            return next
        }
        switch flag {
        case "--host":
            options.host = try value()
        case "--port":
            let text = try value()
            guard let port = Int(text), (0...65535).contains(port) else {
                throw UsageError(message: "--port must be a number from 0 to 65535, not '\(text)'")
            }
            options.port = port
        case "--pages":
            options.pages = try value()
        case "--robots-file":
            robotsFile = try value()
        case "--robots-status":
            let text = try value()
            // The same codes as /status/CODE; a 1xx would leave the client waiting for the real answer.
            guard let code = Int(text), (200...599).contains(code) else {
                throw UsageError(message: "--robots-status must be a number from 200 to 599, not '\(text)'")
            }
            robotsStatus = code
        case "-h", "--help":
            writeLine(usage, to: .standardOutput)
            exit(0)
        default:
            throw UsageError(message: "unknown argument '\(argument)'")
        }
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: options.pages, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw UsageError(message: "--pages: '\(options.pages)' is not a directory")
    }
    switch (robotsFile, robotsStatus) {
    case (nil, nil):
        break
    case (let path?, nil):
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError(message: "--robots-file: cannot read '\(path)'")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw UsageError(message: "--robots-file: '\(path)' is not UTF-8 text")
        }
        options.robots = .text(text)
    case (nil, let code?):
        options.robots = .status(code)
    case (.some, .some):
        throw UsageError(message: "--robots-file and --robots-status are exclusive")
    }
    return options
}

/// Writes unbuffered, so the line is out before anything else happens (no stdio buffer to flush).
func writeLine(_ line: String, to handle: FileHandle) {
    handle.write(Data((line + "\n").utf8))
}

func fail(_ message: String, status: Int32 = 2) -> Never {
    writeLine("fixture-server: \(message)", to: .standardError)
    exit(status)
}

let options: Options
do {
    options = try parseOptions(CommandLine.arguments.dropFirst())
} catch {
    fail("\(error.message)\n\(usage)")
}

// Catch the signals before announcing the URL, so a script that stops the server right after
// reading it still gets a clean shutdown.
let signals = TerminationSignals()

let server: FixtureServer
do {
    server = try await FixtureServer.start(
        host: options.host, port: options.port, pagesDirectory: options.pages, robots: options.robots
    )
} catch {
    fail("cannot listen on \(options.host):\(options.port): \(error)")
}
writeLine(server.baseURL, to: .standardOutput)

for await _ in signals.received {
    break  // the first signal is enough
}
signals.cancel()
do {
    try await server.shutdown()
} catch {
    fail("shutdown failed: \(error)", status: 1)
}
exit(0)
