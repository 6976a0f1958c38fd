import Foundation
import Synchronization
import Testing
@testable import ParFetch

/// The pure parts of a crawl: the seen-set, the scope, the frontier file's lines.
@Suite struct SeenSetTests {
    @Test func insertsOnceAndGrowsWithinItsBound() {
        var set = SeenSet(capacity: 16)
        var fresh = 0
        for index in 0..<200_000 where set.insert(SeenSet.hash("https://example.com/\(index)".utf8)) { fresh += 1 }
        #expect(fresh == 200_000)
        #expect(set.count == 200_000)
        for index in stride(from: 0, to: 200_000, by: 997) {
            let again = set.insert(SeenSet.hash("https://example.com/\(index)".utf8))
            #expect(!again)
            #expect(set.contains(SeenSet.hash("https://example.com/\(index)".utf8)))
        }
        #expect(!set.contains(SeenSet.hash("https://example.com/200000".utf8)))
        // 8 bytes a slot, seven eighths full at most, grown by half: 9 to 14 bytes a URL.
        let perURL = Double(set.memory) / Double(set.count)
        #expect(perURL >= 9 && perURL <= 14, "bytes per URL: \(perURL)")
    }

    /// Fixed values: a resumed crawl rebuilds its set from the same hashes.
    @Test func theHashIsFixedAndNeverZero() {
        #expect(SeenSet.hash("".utf8) == SeenSet.hash([UInt8]()))
        #expect(SeenSet.hash("https://a/".utf8) != SeenSet.hash("https://a/x".utf8))
        let hashes = Set((0..<100_000).map { SeenSet.hash("u\($0)".utf8) })
        #expect(hashes.count == 100_000)
        #expect(!hashes.contains(0))
    }
}

@Suite struct CrawlScopeTests {
    static func url(_ text: String) throws -> CheckedURL { try CheckedURL(text) }

    @Test func hostMeansHostAndPort() throws {
        let scope = CrawlScope(kind: .host)
        scope.add(seed: try Self.url("http://a.localhost:8080/start"))
        #expect(scope.exclusion(of: try Self.url("http://A.localhost:8080/other?x#y")) == nil)
        #expect(scope.exclusion(of: try Self.url("http://a.localhost:8081/")) == .outOfScope)
        #expect(scope.exclusion(of: try Self.url("http://shop.a.localhost:8080/")) == .outOfScope)
    }

    @Test func domainIsTheRegistrableDomain() throws {
        let scope = CrawlScope(kind: .domain)
        scope.add(seed: try Self.url("https://www.example.co.uk/"))
        #expect(scope.contains(try Self.url("http://shop.example.co.uk:8443/x")))
        #expect(!scope.contains(try Self.url("https://example2.co.uk/")))
        #expect(!scope.contains(try Self.url("https://co.uk/")))
    }

    @Test func prefixIsTheSeedsDirectory() throws {
        let scope = CrawlScope(kind: .prefix)
        scope.add(seed: try Self.url("https://x.localhost/docs/v1/index.html?lang=en"))
        #expect(scope.contains(try Self.url("https://x.localhost/docs/v1/")))
        #expect(scope.contains(try Self.url("https://x.localhost/docs/v1/a/b.html")))
        #expect(!scope.contains(try Self.url("https://x.localhost/docs/v2/")))
        #expect(!scope.contains(try Self.url("https://x.localhost/docs/")))
        // A slash in the query is not a directory.
        #expect(!scope.contains(try Self.url("https://x.localhost/other?next=/docs/v1/")))
        #expect(!scope.contains(try Self.url("http://x.localhost/docs/v1/")))
    }

    @Test func excludeWinsOverInclude() throws {
        let scope = CrawlScope(kind: .any, include: [try URLPattern("/shop/")], exclude: [try URLPattern("\\?page=[0-9]+$")])
        #expect(scope.exclusion(of: try Self.url("https://any.localhost/shop/a")) == nil)
        #expect(scope.exclusion(of: try Self.url("https://any.localhost/blog/a")) == .excluded)
        #expect(scope.exclusion(of: try Self.url("https://any.localhost/shop/a?page=2")) == .excluded)
    }

    @Test func aBadPatternSaysWhy() {
        #expect(throws: URLPatternError.self) { try URLPattern("(unclosed") }
        let message = (try? URLPattern("a{2,1}")).map { _ in "" } ?? "refused"
        #expect(message == "refused")
    }
}

@Suite struct FrontierFileTests {
    @Test func linesParseBackToTheirEntries() {
        var lines: [UInt8] = []
        FrontierFile.append(found: "https://a/b", depth: 3, parent: "https://a/", to: &lines)
        FrontierFile.append(fetched: "https://a/moved", to: &lines)
        let text = String(decoding: lines, as: UTF8.self)
        let parsed = text.split(separator: "\n").map { FrontierFile.parse($0) }
        #expect(parsed == [.found(depth: 3, url: "https://a/b", parent: "https://a/"), .fetched(url: "https://a/moved")])
        for bad in ["", "S\t", "x\thttps://a/\tp", "1\t\tp", "R\t", "1\thttps://a/", "-1\tu\tp",
                    "9999999\tu\tp", "1\tu\tp\tq", "R\tu\tv"] {
            #expect(FrontierFile.parse(Substring(bad)) == nil, "\(bad)")
        }
        #expect(!FrontierFile.canHold("https://a/\tb"))
        #expect(FrontierFile.canHold("https://a/b"))
    }

    @Test func aTornLastLineIsCutOffOnLoad() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontier-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "1\thttps://a/1\thttps://a/\nR\thttps://a/2\n1\thttps://a/3\thtt".write(toFile: path, atomically: true, encoding: .utf8)
        let file = try FrontierFile(path: path, resuming: true)
        var entries: [FrontierFile.Entry] = []
        try file.load { entries.append($0) }
        #expect(entries == [.found(depth: 1, url: "https://a/1", parent: "https://a/"), .fetched(url: "https://a/2")])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "1\thttps://a/1\thttps://a/\nR\thttps://a/2\n")
        // Appends go after the cut, and a cursor reads what is committed only.
        var more: [UInt8] = []
        FrontierFile.append(found: "https://a/4", depth: 2, parent: "https://a/1", to: &more)
        try file.append(more)
        var cursor = FrontierCursor(file: file)
        var lines: [Substring] = []
        while let line = try cursor.nextLine() { lines.append(line) }
        #expect(lines.count == 3 && lines.last == "2\thttps://a/4\thttps://a/1")
    }

    @Test func aFileThatIsNotAFrontierIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontier-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "1\thttps://a/1\thttps://a/\nsome notes\n".write(toFile: path, atomically: true, encoding: .utf8)
        let file = try FrontierFile(path: path, resuming: true)
        #expect(throws: FrontierError.notAFrontier(path, line: 2)) { try file.load { _ in } }
    }
}

@Suite struct RecordObserverTests {
    /// The observer was once kept so that each record wrapped it once more: a crawl
    /// overflowed the stack after about 9,000 pages.
    @Test func theObserverSeesEveryRecordOfALongRun() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("observed-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try RecordWriter(path: path)
        let seen = Mutex(0)
        writer.observe { _ in seen.withLock { $0 += 1 } }
        let item = ListItem(line: 1, text: "x", target: .failure(FetchError(.invalidURL, "x")))
        for _ in 0..<100_000 { writer.submit(Record(item: item, error: FetchError(.invalidURL, "x"))) }
        writer.observe(nil)
        #expect(writer.close() == nil)
        #expect(seen.withLock { $0 } == 100_000)
    }
}
