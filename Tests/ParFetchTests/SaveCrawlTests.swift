import FixtureServer
import Foundation
import Testing
@testable import ParFetch

/// Crawls with a `BodyStore` against the fixture server: what is saved, where, with which
/// bytes, and that no URL a server could answer places a file outside the store.
@Suite("Crawl: saving bodies", .timeLimit(.minutes(1)))
struct SaveCrawlTests {
    /// A fixture server whose unknown paths answer 200, so that hostile paths get bodies.
    static func server() async throws -> FixtureServer {
        try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory, answerAnyPath: true)
    }

    static func typedBody(_ count: Int) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0) })
    }

    static func isHexName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts[0].count == 16 && parts[0].allSatisfy { "0123456789abcdef".contains($0) }
            && !parts[1].isEmpty && parts[1].allSatisfy { $0.isASCII && $0.isLowercase }
    }

    @Test func bodiesOfEachTypeAreSavedAsTheServerSentThem() async throws {
        let server = try await Self.server()
        defer { Task { try await server.shutdown() } }
        let scratch = try ScratchDirectory()
        let store = try BodyStore(directory: scratch.sub("out"))
        let base = server.baseURL
        let host = "127.0.0.1:\(server.port)"
        // (path, Content-Type the server sends, the body it sends; nil: not saved)
        let cases: [(String, String?, Data?)] = [
            ("/page/index.html", "text/html", try Fixture.page("index.html")),
            ("/page/about.txt", "text/plain", try Fixture.page("about.txt")),
            ("/typed?type=image/png&bytes=1000", "image/png", Self.typedBody(1000)),
            ("/typed?type=application/json;%20charset=utf-8&bytes=10", "application/json", Self.typedBody(10)),
            ("/typed?type=application/x-unknown&bytes=300", "application/x-unknown", Self.typedBody(300)),
            ("/bytes/0", "application/octet-stream", Data()),
            ("/status/204", nil, Data()),
            ("/gzip/article.html", "text/html", try Fixture.page("article.html")),
            ("/chunked/large.html", "text/html", try Fixture.page("large.html")),
            ("/redirect/2", "text/plain", Data("redirect done\n".utf8)),
            ("/status/404", "text/plain", nil),
            ("/status/410", "text/plain", nil),
        ]
        let lines = cases.map { base + $0.0 }
        let records = try Fixture.crawl(lines) { $0.bodyStore = store }
        #expect(records.count == cases.count)
        var expectedFiles: Set<String> = [host]
        for record in records {
            let line = try #require(record["line"] as? Int)
            let (_, contentType, body) = cases[line - 1]
            #expect(record["error"] == nil, "line \(line)")
            guard let body else {
                #expect(record["ok"] as? Bool == false)
                #expect(record["saved"] == nil, "line \(line): a non-2xx body is not saved")
                continue
            }
            let saved = try #require(record["saved"] as? String, "line \(line)")
            #expect(saved == host + "/" + BodyStore.fileName(url: lines[line - 1], contentType: contentType))
            #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.sub("out/" + saved))) == body, "line \(line)")
            #expect(record["bytes"] as? Int == body.count)
            expectedFiles.insert(saved)
        }
        // Only HTML was parsed, whatever was saved.
        let byLine = Dictionary(uniqueKeysWithValues: records.map { ($0["line"] as! Int, $0) })
        #expect(byLine[1]?["links"] is [String])
        #expect(byLine[3]?["links"] == nil)
        #expect(Set(try DirectoryTree.snapshot(scratch.sub("out")).keys) == expectedFiles)
        #expect(LoopThreads.misplacedWork.load(ordering: .relaxed) == 0)
    }

    @Test func savingWorksWithoutParsing() async throws {
        let server = try await Fixture.server()
        let scratch = try ScratchDirectory()
        let store = try BodyStore(directory: scratch.path)
        let lines = ["\(server.baseURL)/page/products.html", "\(server.baseURL)/typed?type=image/gif&bytes=70000",
                     "\(server.baseURL)/status/404"]
        let records = try Fixture.crawl(lines) {
            $0.parse = false
            $0.bodyStore = store
        }
        let byLine = Dictionary(uniqueKeysWithValues: records.map { ($0["line"] as! Int, $0) })
        let page = try #require(byLine[1]?["saved"] as? String)
        #expect(page.hasSuffix(".html"))
        #expect(byLine[1]?["links"] == nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.sub(page))) == Fixture.page("products.html"))
        let image = try #require(byLine[2]?["saved"] as? String)
        #expect(image.hasSuffix(".gif"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.sub(image))) == Self.typedBody(70000))
        #expect(byLine[3]?["saved"] == nil)
        #expect(try DirectoryTree.snapshot(scratch.path).count == 3)
    }

    /// Paths that try to climb out, as given, percent-encoded, very long, or behind a redirect,
    /// and host names with dots that libcurl resolves to loopback by itself (`*.localhost`):
    /// every file lands in `out/HOST/` under a hex name, and nothing else changes anywhere
    /// around the store (its parent, with a sibling directory, is compared entry by entry).
    @Test func noURLPlacesAFileOutsideTheStore() async throws {
        let server = try await Self.server()
        defer { Task { try await server.shutdown() } }
        let scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: scratch.sub("sibling"), withIntermediateDirectories: false)
        try "keep".write(toFile: scratch.sub("sibling/keep.txt"), atomically: false, encoding: .utf8)
        let store = try BodyStore(directory: scratch.sub("out"))
        let base = server.baseURL
        func redirect(to target: String) -> String {
            base + "/redirect-to?url=" + target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        }
        let long = "/" + String(repeating: "..%2f", count: 800)
        let lines = [
            base + "/../../etc/x",
            base + "/%2e%2e%2f%2e%2e%2fetc/x",
            base + "/a/..%2f..%2f/x",
            base + long,
            base + "/" + String(repeating: "x", count: 4000),
            redirect(to: "/%2e%2e%2f%2e%2e%2fetc/x"),
            redirect(to: "/../../../etc/x"),
            redirect(to: long),
            redirect(to: "http://a..b.localhost:\(server.port)/../x"),
            "http://a..b.localhost:\(server.port)/..%2f..%2fx",
            "http://..localhost:\(server.port)/x",
        ]
        #expect(long.count == 4001)
        let etcExisted = FileManager.default.fileExists(atPath: "/etc/x")
        let before = try DirectoryTree.snapshot(scratch.path)
        let records = try Fixture.crawl(lines) { $0.bodyStore = store }
        let after = try DirectoryTree.snapshot(scratch.path)

        #expect(records.count == lines.count)
        var saved: Set<String> = []
        for record in records {
            let line = try #require(record["line"] as? Int)
            #expect(record["ok"] as? Bool == true, "line \(line): \(record)")
            saved.insert(try #require(record["saved"] as? String, "line \(line)"))
        }
        let changes = DirectoryTree.changes(from: before, to: after)
        #expect(changes.changed.isEmpty)
        #expect(changes.removed.isEmpty)
        let hosts: Set = ["127.0.0.1:\(server.port)", "a..b.localhost:\(server.port)", "..localhost:\(server.port)"]
        for entry in changes.added {
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            #expect(parts.first == "out", "\(entry) is outside the store")
            #expect(parts.count == 2 || parts.count == 3, "\(entry)")
            if parts.count >= 2 { #expect(hosts.contains(parts[1]), "\(entry)") }
            if parts.count == 3 {
                #expect(Self.isHexName(parts[2]), "\(entry)")
                #expect(after[entry]?.hasPrefix("file ") == true)
            } else {
                #expect(after[entry] == "dir")
            }
        }
        #expect(Set(changes.added.filter { $0.split(separator: "/").count == 3 }) == Set(saved.map { "out/" + $0 }))
        #expect(saved.count == lines.count)
        #expect(changes.added.contains("out/a..b.localhost:\(server.port)"))
        #expect(changes.added.contains("out/..localhost:\(server.port)"))
        if !etcExisted { #expect(!FileManager.default.fileExists(atPath: "/etc/x")) }
    }

    /// A symbolic link planted where the host's directory goes: the write is refused and the
    /// record says so, with the rest of the record as the server answered.
    @Test func aWriteThatFailsIsAnErrorRecord() async throws {
        let server = try await Fixture.server()
        let scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: scratch.sub("elsewhere"), withIntermediateDirectories: false)
        let store = try BodyStore(directory: scratch.sub("out"))
        try FileManager.default.createSymbolicLink(atPath: scratch.sub("out/127.0.0.1:\(server.port)"),
                                                   withDestinationPath: scratch.sub("elsewhere"))
        let records = try Fixture.crawl(["\(server.baseURL)/page/index.html"]) { $0.bodyStore = store }
        let record = try #require(records.first)
        #expect(record["status"] as? Int == 200)
        #expect(record["ok"] as? Bool == true)
        #expect(record["title"] is String)
        #expect(record["saved"] == nil)
        let error = try #require(record["error"] as? [String: Any])
        #expect(error["kind"] as? String == "other")
        #expect((error["message"] as? String)?.hasPrefix("save failed: cannot use directory \"127.0.0.1:\(server.port)\": ") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.sub("elsewhere")).isEmpty)
    }
}
