import FixtureServer
import Foundation
import Testing
@testable import ParFetch

/// What parfetch records for the fixture server's hostile routes: each record is sane, its
/// error kind is the one the contract names, and nothing crashes or runs without bound.
@Suite("Hostile routes", .timeLimit(.minutes(2)))
struct HostileRouteTests {
    /// Fetches with a 20 s limit: no hostile route may hang a test.
    func fetch(_ path: String, _ configure: (inout FetchConfiguration) -> Void = { _ in }) async throws -> Response {
        try await Fixture.fetch(path) {
            $0.timeout = 20
            configure(&$0)
        }
    }

    static func error(_ record: [String: Any]) -> (kind: String?, message: String) {
        let error = record["error"] as? [String: Any]
        return (error?["kind"] as? String, error?["message"] as? String ?? "")
    }

    /// One connection at a time, so that a connection left dirty would be reused by the next
    /// URL. libcurl reads the excess with the response and closes the connection.
    @Test func overlongBodyIsCutAtItsLengthAndNotReadAsTheNextResponse() async throws {
        let server = try await Fixture.start()
        defer { Task { try? await server.shutdown() } }
        let page = "\(server.baseURL)/page/index.html"
        let records = try Fixture.crawl(["\(server.baseURL)/overlong", page, "\(server.baseURL)/overlong", page]) {
            $0.concurrency = 1
            $0.ordered = true
        }
        #expect(records.count == 4)
        let index = try Fixture.page("index.html")
        for (number, record) in records.enumerated() {
            #expect(record["status"] as? Int == 200)
            #expect(record["error"] == nil)
            #expect(record["bytes"] as? Int == (number.isMultiple(of: 2) ? 100 : index.count))
            #expect(record["title"] as? String == (number.isMultiple(of: 2) ? "overlong" : "parfetch fixtures"))
        }
        // Each overlong response cost its connection.
        #expect(server.stats().connections == 3)
    }

    /// An excess sent after the response is indistinguishable from the next response on the
    /// connection (HTTP/1.1 has no way to tell): the record of the URL after it may hold the
    /// smuggled response. What parfetch guarantees is a sane record for each URL.
    @Test func lateExcessStillGivesOneSaneRecordPerURL() async throws {
        let server = try await Fixture.start()
        defer { Task { try? await server.shutdown() } }
        let page = "\(server.baseURL)/page/index.html"
        let records = try Fixture.crawl(["\(server.baseURL)/overlong?ms=300", page]) {
            $0.concurrency = 1
            $0.ordered = true
        }
        #expect(records.map { $0["line"] as? Int } == [1, 2])
        #expect(records.allSatisfy { $0["status"] as? Int == 200 && $0["error"] == nil })
        #expect(records[0]["bytes"] as? Int == 100)
        #expect(records[0]["title"] as? String == "overlong")
        #expect(["parfetch fixtures", "smuggled"].contains(records[1]["title"] as? String))
    }

    @Test func endlessBodyStopsAtTheSizeLimit() async throws {
        let response = try await fetch("/endless") { $0.maxSize = 1 << 20 }
        #expect(response.status == 200)
        #expect(response.error?.kind == .tooLarge)
        #expect(response.bytes > 1 << 20 && response.bytes <= (1 << 20) + (1 << 18))
        #expect(response.body.isEmpty)
    }

    @Test(arguments: ["/huge-header", "/huge-header?bytes=1048576&lines=1000"])
    func hugeHeaderIsTooLarge(path: String) async throws {
        let response = try await fetch(path)
        #expect(response.error?.kind == .tooLarge)
        #expect(response.error?.message.contains("libcurl's limit") == true)
        #expect(response.bytes == 0)
    }

    @Test func headerUnderTheLimitIsFine() async throws {
        let response = try await fetch("/huge-header?bytes=200000&lines=100")
        #expect(response.error == nil)
        #expect(response.status == 200)
        #expect(response.bytes == 3)
    }

    @Test func badChunkIsOtherAndNotRetried() async throws {
        let server = try await Fixture.start()
        defer { Task { try? await server.shutdown() } }
        let records = try Fixture.crawl(["\(server.baseURL)/bad-chunk"]) { $0.scheduling.retries = 2 }
        let record = try #require(records.first)
        #expect(Self.error(record).kind == "other")
        #expect(Self.error(record).message
            == "malformed chunked encoding: Illegal or missing hexadecimal sequence in chunked-encoding")
        #expect(record["attempts"] as? Int == 1)
        #expect(server.stats().requests == 1)
    }

    /// libcurl's speed check counts body bytes only, so a head still arriving after the stall
    /// limit fails the attempt however fast its bytes come (here 1 and 10 a second).
    @Test(arguments: [1000, 100])
    func trickledHeadersHitTheStallTimeout(milliseconds: Int) async throws {
        let start = ContinuousClock.now
        let response = try await fetch("/trickle-headers?ms=\(milliseconds)") { $0.stallTimeout = 2 }
        let elapsed = ContinuousClock.now - start
        #expect(response.error?.kind == .timeout)
        #expect(response.error?.message == "stall timeout: no body byte within 2 s (--stall-timeout)")
        #expect(elapsed >= .milliseconds(1900))
        #expect(elapsed < .seconds(15))
    }

    @Test func redirectLoopIsTooManyRedirects() async throws {
        let response = try await fetch("/redirect-loop") { $0.maxRedirects = 5 }
        #expect(response.error?.kind == .tooManyRedirects)
        #expect(response.redirects == 5)
        #expect(response.status == 302)
    }

    @Test(arguments: ["file:///etc/passwd", "ftp://127.0.0.1/x"])
    func redirectToAnotherSchemeSaysSo(target: String) async throws {
        let response = try await fetch("/redirect-to?url=" + target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        #expect(response.error?.kind == .unsupportedScheme)
        #expect(response.error?.message == "a redirect went to another scheme: \(target) (only http and https are followed)")
    }

    @Test(arguments: [1, 2, 3])
    func binaryLabelledHTMLParsesSafely(seed: Int) async throws {
        let server = try await Fixture.server()
        // A rule makes libxml2 parse the bytes too, not only the scanner.
        let records = try Fixture.crawl(["\(server.baseURL)/binary?bytes=300000&seed=\(seed)"]) {
            $0.rules = [try! ExtractionRule(assignment: "n=count(//*)", language: .xpath)]
        }
        let record = try #require(records.first)
        #expect(record["status"] as? Int == 200)
        #expect(record["bytes"] as? Int == 300_000)
        #expect(record["error"] == nil)
        // Random bytes hold no `<title`; whatever they hold, the record parsed as JSON above.
        #expect(record["title"] == nil)
        #expect(record["links"] as? [String] == [])
        let count = try #require((record["extract"] as? [String: [String]])?["n"]?.first.flatMap { Int($0) })
        #expect(count >= 3)  // html, head, body at least
    }

    @Test func badTitleBecomesReplacementCharacters() async throws {
        let server = try await Fixture.server()
        let records = try Fixture.crawl(["\(server.baseURL)/bad-title"])
        let record = try #require(records.first)
        // NUL → U+FFFD (the tokenizer's rule), each invalid byte → U+FFFD (the decoder's);
        // nothing is cut short at the NUL.
        #expect(record["title"] as? String == "A\u{FFFD}B \u{FFFD} C\u{FFFD}D")
        #expect(record["links"] as? [String] == ["\(server.baseURL)/after"])
    }

    @Test func deeplyNestedPageParses() async throws {
        let server = try await Fixture.server()
        let records = try Fixture.crawl(["\(server.baseURL)/nested?depth=100000"]) {
            $0.rules = [try! ExtractionRule(assignment: "deep=a::attr(href)", language: .css)]
        }
        let record = try #require(records.first)
        #expect(record["error"] == nil)
        #expect(record["title"] as? String == "100000 levels")
        #expect(record["links"] as? [String] == ["\(server.baseURL)/deep"])
        #expect((record["extract"] as? [String: [String]])?["deep"] == ["/deep"])
    }

    /// The crawl's default limit (10,000) holds a page of ten times as many links to its first
    /// links (the million-link page is the end-to-end test's: 34 MB made by the fixture server
    /// is slow under a sanitizer).
    @Test(arguments: [(100_000, 10_000, true), (10_000, 10_000, false), (3, 3, false)])
    func linksAreCutAtTheDefaultLimit(count: Int, kept: Int, truncated: Bool) async throws {
        let server = try await Fixture.server()
        let records = try Fixture.crawl(["\(server.baseURL)/links?count=\(count)"])
        let record = try #require(records.first)
        #expect(record["error"] == nil)
        #expect(record["title"] as? String == "\(count) links")
        let links = try #require(record["links"] as? [String])
        #expect(links.count == kept)
        #expect(links.first == "\(server.baseURL)/link/0")
        #expect(links.last == "\(server.baseURL)/link/\(kept - 1)")
        #expect(record["links_truncated"] as? Bool == (truncated ? true : nil))
    }

    @Test func noLimitKeepsEveryLink() async throws {
        let server = try await Fixture.server()
        let records = try Fixture.crawl(["\(server.baseURL)/links?count=20000"]) { $0.maxLinks = nil }
        let record = try #require(records.first)
        #expect((record["links"] as? [String])?.count == 20_000)
        #expect(record["links_truncated"] == nil)
    }
}
