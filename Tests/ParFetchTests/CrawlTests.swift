import FixtureServer
import Foundation
import Testing
@testable import ParFetch

@Suite("Crawl: list to records", .timeLimit(.minutes(1)))
struct CrawlTests {
    func crawl(_ lines: [String], concurrency: Int = 50) throws -> [[String: Any]] {
        try Fixture.crawl(lines) { $0.concurrency = concurrency }
    }

    @Test func twoThousandURLsGiveTwoThousandRecords() async throws {
        let server = try await Fixture.server()
        let lines = (1...2000).map { "\(server.baseURL)/bytes/\($0 % 500)?n=\($0)" }
        let records = try crawl(lines)
        #expect(records.count == 2000)
        #expect(Set(records.compactMap { $0["line"] as? Int }) == Set(1...2000))
        #expect(records.allSatisfy { $0["ok"] as? Bool == true })
        for record in records {
            let line = try #require(record["line"] as? Int)
            #expect(record["url"] as? String == lines[line - 1])
            #expect(record["bytes"] as? Int == line % 500)
        }
    }

    @Test func everyLineGetsItsRecordWhateverHappens() async throws {
        let server = try await Fixture.server()
        let lines = [
            "# a comment", "",
            "\(server.baseURL)/page/index.html",
            "ftp://example.test/",
            "not a url",
            "\(server.baseURL)/status/404",
            "\(server.baseURL)/reset",
            "\(server.baseURL)/redirect/2",
            "http://127.0.0.1:1/",
        ]
        let records = try crawl(lines)
        let byLine = Dictionary(uniqueKeysWithValues: records.map { ($0["line"] as! Int, $0) })
        #expect(byLine.keys.sorted() == [3, 4, 5, 6, 7, 8, 9])
        func kind(_ line: Int) -> String? { (byLine[line]?["error"] as? [String: Any])?["kind"] as? String }
        #expect(byLine[3]?["ok"] as? Bool == true)
        #expect(kind(4) == "unsupported_scheme")
        #expect(byLine[4]?["attempts"] as? Int == 0)
        #expect(kind(5) == "invalid_url")
        #expect(byLine[6]?["status"] as? Int == 404)
        #expect(byLine[6]?["ok"] as? Bool == false)
        #expect(kind(7) == "reset")
        #expect(byLine[8]?["redirects"] as? Int == 2)
        #expect(kind(9) == "connect")
    }

    @Test func concurrencyLimitHoldsAtTheServer() async throws {
        let server = try await Fixture.start()
        let records = try crawl((1...200).map { "\(server.baseURL)/delay/50?i=\($0)" }, concurrency: 8)
        let stats = server.stats()
        #expect(records.count == 200)
        #expect(stats.requests == 200)
        #expect(stats.maxInFlight <= 8)
        #expect(stats.maxInFlight >= 6)
        try await server.shutdown()
    }

    @Test func pagesAreParsedOnWorkersNeverOnTheLoop() async throws {
        let server = try await Fixture.server()
        let pages = ["index.html", "article.html", "links.html", "products.html", "broken.html", "large.html"]
        let records = try crawl((1...60).map { "\(server.baseURL)/page/\(pages[$0 % pages.count])?i=\($0)" })
        #expect(records.count == 60)
        #expect(records.allSatisfy { $0["title"] is String && $0["links"] is [String] })
        #expect(LoopThreads.misplacedWork.load(ordering: .relaxed) == 0)
    }

    /// libcurl alone refuses an internationalised host under the C locale (the tests' own):
    /// the intake writes it in ASCII first.
    @Test func anInternationalHostIsFetched() async throws {
        let server = try await Fixture.server()
        let line = "http://bücher.localhost:\(server.port)/page/about.txt"
        let records = try crawl([line])
        #expect(records.count == 1)
        #expect(records.first?["ok"] as? Bool == true)
        #expect(records.first?["url"] as? String == line)
        #expect(records.first?["final_url"] as? String == "http://xn--bcher-kva.localhost:\(server.port)/page/about.txt")
        #expect(records.first?["attempts"] as? Int == 1)
    }

    @Test func emptyListWritesNothing() throws {
        #expect(try crawl(["# nothing here", ""]).isEmpty)
    }
}
