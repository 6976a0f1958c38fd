import FixtureServer
import Foundation
import Testing

/// `--warc` as archives use it: files that warcio checks and indexes, records that point at
/// their captures, pages pywb replays as the server sent them, and a resume after kill -9.
@Suite("WARC output", .timeLimit(.minutes(4)))
struct WARCTests {
    /// A directory removed when the value is released.
    final class Directory: Sendable {
        let path: String

        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("parfetch-warc-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }

        func file(_ name: String) -> String { path + "/" + name }
    }

    /// The exchanges each line of `pages` makes (a redirect hop is one) and how its capture
    /// ends: the fixture's plain, gzip and chunked pages, redirects, a 404, a body cut by
    /// --max-size, one that closes early, and a reset, which gets no response at all.
    static let pages: [(path: String, exchanges: Int, truncated: String?)] = [
        ("/page/index.html", 1, nil),
        ("/gzip/article.html", 1, nil),
        ("/chunked/article.html", 1, nil),
        ("/redirect/2", 3, nil),
        ("/status/404", 1, nil),
        ("/bytes/3000000", 1, "length"),
        ("/close-early", 1, "disconnect"),
        ("/reset", 0, nil),
    ]

    @Test(arguments: ["site.warc.gz", "site.warc"])
    func aWARCOfTheFixturePagesPassesWarcioAndEveryRecordPointsAtItsResponse(name: String) async throws {
        let server = try await Fixture.server()
        let directory = try Directory()
        let list = try TemporaryFile(Self.pages.map { server.baseURL + $0.path }.joined(separator: "\n") + "\n")
        let warc = directory.file(name)
        let output = directory.file("out.jsonl")
        let arguments = ["-q", "--retries", "0", "--max-size", "1M", "--warc", warc, "-o", output, list.path]
        let run = try await blocking { try Parfetch.run(arguments) }
        #expect(run.status == 0, "\(run.stderr)")

        let check = try await blocking { try WARCTools.check([warc]) }
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(!check.stdout.contains("digest failed"), "\(check.stdout)")

        // A warcinfo record, then a request and its response for every exchange, each pair
        // pointing at each other.
        let index = try await blocking { try WARCTools.index(warc) }
        #expect(index.first?["warc-type"] == "warcinfo")
        let exchanges = Array(index.dropFirst())
        #expect(exchanges.count == 2 * Self.pages.reduce(0) { $0 + $1.exchanges }, "\(exchanges)")
        for pair in stride(from: 0, to: exchanges.count - 1, by: 2) {
            let (request, response) = (exchanges[pair], exchanges[pair + 1])
            #expect(request["warc-type"] == "request" && response["warc-type"] == "response", "\(request) \(response)")
            #expect(request["warc-target-uri"] == response["warc-target-uri"])
            #expect(request["warc-concurrent-to"] == response["warc-record-id"])
            #expect(response["warc-concurrent-to"] == request["warc-record-id"])
        }
        let hops = exchanges.filter { $0["warc-type"] == "response" }.compactMap { $0["warc-target-uri"] }
        for hop in ["/redirect/2", "/redirect/1", "/redirect/0"] {
            #expect(hops.contains(server.baseURL + hop), "\(hops)")
        }

        let records = try Records(String(contentsOfFile: output, encoding: .utf8))
        let resolved = try await blocking { try WARCTools.resolve(output) }
        // warcio's length of an uncompressed record leaves out the two line ends that close it.
        let closing = name.hasSuffix(".gz") ? 0 : 4
        for (line, page) in Self.pages.enumerated().map({ ($0.offset + 1, $0.element) }) {
            let record = try #require(records[line])
            guard page.exchanges > 0 else {
                #expect(record["warc"] == nil, "a URL with no response has no capture")
                continue
            }
            let pointer = try #require(record["warc"] as? [String: Any], "line \(line)")
            #expect(pointer["file"] as? String == warc)
            let found = try #require(resolved[line])
            #expect(found.type == "response")
            #expect(found.target == record["final_url"] as? String)
            #expect(found.status == record["status"] as? Int)
            #expect(found.truncated == page.truncated, "line \(line): \(found)")
            #expect(found.length.map { $0 + closing } == pointer["length"] as? Int, "line \(line): \(found)")
        }
    }

    /// pywb (`id_` mode: the archived bytes) replays the pages as the server sent them: the
    /// gzip page's compressed bytes as they were, the chunked one's body, the plain page.
    @Test func pywbReplaysThePagesAsTheServerSentThem() async throws {
        let server = try await Fixture.server()
        let directory = try Directory()
        let paths = ["/page/index.html", "/gzip/article.html", "/chunked/article.html"]
        let warc = directory.file("replay.warc.gz")
        let run = try await blocking {
            try Parfetch.run(["-q", "--warc", warc, "-o", directory.file("out.jsonl")] + paths.map { server.baseURL + $0 })
        }
        #expect(run.status == 0, "\(run.stderr)")
        // pywb's web app, served in the script's process. The signals the test process blocks
        // are unblocked first: pywb's gevent waits for its children's SIGCHLD.
        let script = """
            import os, signal, subprocess, sys, threading, urllib.request
            signal.pthread_sigmask(signal.SIG_UNBLOCK, range(1, signal.NSIG))
            bin, warc, root = sys.argv[1], sys.argv[2], sys.argv[3]
            os.chdir(root)
            subprocess.run([bin + "/wb-manager", "init", "c"], check=True, capture_output=True)
            subprocess.run([bin + "/wb-manager", "add", "c", warc], check=True, capture_output=True)
            from pywb.apps.frontendapp import FrontEndApp
            from wsgiref.simple_server import make_server, WSGIRequestHandler
            class Quiet(WSGIRequestHandler):
                def log_message(self, *args): pass
            server = make_server("127.0.0.1", 0, FrontEndApp(), handler_class=Quiet)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            for url in sys.argv[4:]:
                request = urllib.request.Request(f"http://127.0.0.1:{server.server_port}/c/2000id_/{url}",
                                                 headers={"Accept-Encoding": "gzip"})
                sys.stdout.write("body " + urllib.request.urlopen(request, timeout=10).read().hex() + "\\n")
            server.shutdown()
            """
        let replay = try await blocking {
            try Parfetch.run(executable: WARCTools.tool("python"),
                             ["-c", script, WARCTools.bin.path, warc, directory.path] + paths.map { server.baseURL + $0 },
                             limit: .seconds(90))
        }
        #expect(replay.status == 0, "\(replay.stderr)")
        // pywb prints a note of its own on standard output.
        let bodies = replay.stdout.split(separator: "\n").filter { $0.hasPrefix("body ") }.map { Self.bytes(hex: $0.dropFirst(5)) }
        try #require(bodies.count == 3, "\(replay.stdout)")
        let pages = FixtureServer.defaultPagesDirectory
        let index = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pages + "/index.html")))
        let article = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pages + "/article.html")))
        #expect(bodies[0] == index)
        // The gzip route's compressed bytes, handed through to a client that accepts gzip.
        #expect(bodies[1].starts(with: [0x1F, 0x8B]))
        #expect(Self.gunzip(bodies[1]) == article)
        #expect(bodies[2] == article)
    }

    /// Killed three times mid-run, then resumed: warcio checks the whole file (the torn tail cut
    /// each time) and every record's pointer reads back the response of its final URL.
    @Test func killedRunsResumeToAWARCWarcioChecksWithEveryPointerResolving() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let directory = try Directory()
        let count = 3000
        let list = try TemporaryFile((0..<count).map { "\(server.baseURL)/gen/\(count)/\($0).html" }.joined(separator: "\n") + "\n")
        let listPath = list.path
        let warc = directory.file("resumed.warc.gz")
        let output = directory.file("out.jsonl")
        let arguments = ["-q", "-j", "32", "--per-host", "32", "--resume", "--warc", warc, "-o", output, listPath]
        try await blocking { try Parfetch.killRepeatedly(arguments, times: 3, window: 200_000...700_000) }
        let last = try await blocking { try Parfetch.run(arguments, limit: .seconds(120)) }
        #expect(last.status == 0, "\(last.stderr)")
        let check = try await blocking { try WARCTools.check([warc]) }
        #expect(check.status == 0, "\(check.stdout.prefix(2000))\(check.stderr)")
        let records = try Records(String(contentsOfFile: output, encoding: .utf8))
        let resolved = try await blocking { try WARCTools.resolve(output) }
        var pointing = 0
        for record in records.all where record["warc"] != nil {
            let line = try #require(record["line"] as? Int)
            let found = try #require(resolved[line])
            #expect(found.type == "response")
            #expect(found.target == record["final_url"] as? String)
            pointing += 1
        }
        let finals = Set(records.all.filter(Parfetch.isFinal).compactMap { $0["line"] as? Int })
        #expect(finals == Set(1...count))
        #expect(pointing >= count)
        try await server.shutdown()
    }

    /// --warc-max-size: numbered files, each opening with warcinfo and within the size (a
    /// file has at least one capture), and records pointing into the file of their capture.
    @Test func filesRotateAtTheMaximumSize() async throws {
        let server = try await Fixture.server()
        let directory = try Directory()
        // Random bytes don't compress: each capture is about 200 KB in the file.
        let urls = (0..<16).map { "\(server.baseURL)/binary?bytes=200000&seed=\($0)" }
        let output = directory.file("out.jsonl")
        let run = try await blocking {
            try Parfetch.run(["--progress", "never", "--no-parse", "--warc", directory.file("site.warc.gz"), "--warc-max-size", "1M",
                              "-o", output] + urls)
        }
        #expect(run.status == 0, "\(run.stderr)")
        // The summary names the captures and the files.
        #expect(run.stderr.contains("warc: 16 captures, "), "\(run.stderr)")
        #expect(run.stderr.contains(" files, \(directory.file("site-00000.warc.gz")) … "), "\(run.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".warc.gz") }.sorted()
        #expect(files.count >= 3, "\(files)")
        #expect(files.first == "site-00000.warc.gz")
        #expect(!files.contains("site.warc.gz"))
        for file in files {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: directory.file(file))[.size] as? Int)
            #expect(size <= 1 << 20, "\(file): \(size) bytes")
            let index = try await blocking { try WARCTools.index(directory.file(file)) }
            #expect(index.first?["warc-type"] == "warcinfo")
            #expect(index.count >= 3, "\(file) has a capture")
        }
        let check = try await blocking { try WARCTools.check(files.map(directory.file)) }
        #expect(check.status == 0, "\(check.stdout)")
        let resolved = try await blocking { try WARCTools.resolve(output) }
        #expect(resolved.count == urls.count)
        #expect(resolved.values.allSatisfy { $0.type == "response" })
    }

    /// A crawl's redirect out of scope is archived as what it was: the 302's head, marked as
    /// cut (`unspecified`: the transfer was stopped), and the record points at it; the hop
    /// within scope and its landing page are each a pair.
    @Test func aCrawlArchivesARedirectOutOfScopeAsAStoppedResponse() async throws {
        let server = try await Fixture.server()
        let directory = try Directory()
        let a = "http://a.localhost:\(server.port)/crawl/"
        let warc = directory.file("crawl.warc.gz")
        let output = directory.file("out.jsonl")
        let run = try await blocking {
            try Parfetch.run(["-q", "--crawl", "--depth", "0", "--warc", warc, "-o", output, a + "redirect/away", a + "redirect/stay"])
        }
        #expect(run.status == 0, "\(run.stderr)")
        let check = try await blocking { try WARCTools.check([warc]) }
        #expect(check.status == 0, "\(check.stdout)")
        let resolved = try await blocking { try WARCTools.resolve(output) }
        let away = try #require(resolved[1])
        #expect(away.status == 302)
        #expect(away.target == a + "redirect/away")
        #expect(away.truncated == "unspecified")
        let stay = try #require(resolved[2])
        #expect(stay.status == 200)
        #expect(stay.target == a + "redirect/landing.html")
        #expect(stay.truncated == nil)
        let index = try await blocking { try WARCTools.index(warc) }
        let responses = index.filter { $0["warc-type"] == "response" }.compactMap { $0["warc-target-uri"] }
        #expect(responses.sorted() == [a + "redirect/away", a + "redirect/landing.html", a + "redirect/stay"], "\(index)")
        #expect(!index.contains { $0["warc-target-uri"]?.contains("b.localhost") == true })
    }

    /// The request record keeps the request as sent but for its credentials: `-u`'s Basic
    /// value is `***` there, and the command line in warcinfo hides the password too.
    @Test func credentialsAreKeptOutOfTheWARC() async throws {
        let server = try await Fixture.server()
        let directory = try Directory()
        let warc = directory.file("auth.warc")
        let run = try await blocking {
            try Parfetch.run(["-q", "-u", "alice:s3cret-pw", "--warc", warc, "-o", directory.file("out.jsonl"),
                              "\(server.baseURL)/basic-auth/alice/s3cret-pw"])
        }
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOfFile: warc, encoding: .isoLatin1)
        #expect(text.contains("Authorization: Basic ***\r\n"))
        #expect(text.contains("parfetch-command: parfetch -q -u *** --warc"))
        let basic = Data("alice:s3cret-pw".utf8).base64EncodedString()
        // The password is in the route's path (the server checks it there), never elsewhere.
        #expect(!text.contains(basic), "Basic credentials in the WARC")
        #expect(text.components(separatedBy: "s3cret-pw").count == text.components(separatedBy: "/basic-auth/alice/s3cret-pw").count)
        let check = try await blocking { try WARCTools.check([warc]) }
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test func warcFlagsSayWhatTheyNeed() async throws {
        let noFile = try await blocking { try Parfetch.run(["--warc", "-", "http://127.0.0.1:1/"]) }
        #expect(noFile.status == 2)
        #expect(noFile.stderr.contains("--warc needs a file name"), "\(noFile.stderr)")
        let size = try await blocking { try Parfetch.run(["--warc-max-size", "10M", "http://127.0.0.1:1/"]) }
        #expect(size.status == 2)
        #expect(size.stderr.contains("--warc-max-size applies to WARC output: add --warc FILE"), "\(size.stderr)")
        let small = try await blocking { try Parfetch.run(["--warc", "x.warc", "--warc-max-size", "10K", "http://127.0.0.1:1/"]) }
        #expect(small.status == 2)
        #expect(small.stderr.contains("--warc-max-size must be at least 1M"), "\(small.stderr)")
        // Resuming into a file that is not WARC cuts nothing and says so.
        let directory = try Directory()
        let notWARC = directory.file("notes.warc")
        try "my notes\n".write(toFile: notWARC, atomically: true, encoding: .utf8)
        let refused = try await blocking {
            try Parfetch.run(["--resume", "--warc", notWARC, "-o", directory.file("out.jsonl"), "http://127.0.0.1:1/"])
        }
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("does not start with a WARC record"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: notWARC, encoding: .utf8) == "my notes\n")
    }

    static func bytes(hex: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }

    static func gunzip(_ bytes: [UInt8]) -> [UInt8]? {
        let file = try? TemporaryFile("")
        guard let file, FileManager.default.createFile(atPath: file.path, contents: Data(bytes)),
              (try? Parfetch.run(executable: URL(fileURLWithPath: "/bin/sh"), ["-c", "gzip -dc \"$0\" > \"$0.out\"", file.path],
                           limit: .seconds(10)))?.status == 0
        else { return nil }
        defer { try? FileManager.default.removeItem(atPath: file.path + ".out") }
        return (try? Data(contentsOf: URL(fileURLWithPath: file.path + ".out"))).map { [UInt8]($0) }
    }
}
