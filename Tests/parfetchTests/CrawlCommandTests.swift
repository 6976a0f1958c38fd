import FixtureServer
import Foundation
import Testing

/// `parfetch --crawl` as a user runs it: resume after kill -9, the flags' messages, the summary.
@Suite("crawl command", .timeLimit(.minutes(3)))
struct CrawlCommandTests {
    /// Killed three times at random moments, then resumed: one final record per page of the
    /// uninterrupted crawl (the generated site's breadth-first set, each at its depth), and
    /// pages are fetched again only if they were in flight (or their records unwritten) at a kill.
    @Test func killedCrawlsResumeToTheUninterruptedCrawlsRecords() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let pages = 4000
        let seed = "\(server.baseURL)/gen/\(pages)/0.html"
        let output = try TemporaryFile("")
        defer { try? FileManager.default.removeItem(atPath: output.path + ".frontier") }
        let arguments = ["--crawl", "--depth", "4", "-j", "16", "--per-host", "16", "--resume", "-q",
                         "-o", output.path, seed]
        try await blocking { try Parfetch.killRepeatedly(arguments, times: 3, window: 150_000...600_000) }
        let last = try await blocking { try Parfetch.run(arguments, limit: .seconds(120)) }
        #expect(last.status == 0, "\(last.stderr)")
        let records = try Records(String(contentsOfFile: output.path, encoding: .utf8))
        var finals: [String: Int] = [:]
        for record in records.all where Parfetch.isFinal(record) {
            let url = try #require(record["url"] as? String)
            finals[url, default: 0] += 1
            let index = try #require(Int(url.split(separator: "/").last!.dropLast(5)))
            #expect(record["depth"] as? Int == GeneratedSite.depth(of: index), "\(url)")
            #expect(record["ok"] as? Bool == true)
        }
        let expected = Set((0..<pages).map { "\(server.baseURL)/gen/\(pages)/\($0).html" })
        #expect(Set(finals.keys) == expected)
        #expect(finals.values.allSatisfy { $0 == 1 })
        // Each line number is one URL, in every run.
        let lines = Dictionary(grouping: records.all, by: { $0["line"] as! Int })
        #expect(lines.values.allSatisfy { Set($0.map { $0["url"] as! String }).count == 1 })
        // A kill loses the 16 in flight and the records not yet written, never the crawl so far.
        #expect(server.stats().requests <= pages + 3 * 300, "\(server.stats().requests) requests")
        try await server.shutdown()
    }

    @Test func crawlFlagsNeedCrawl() async throws {
        for flags in [["--depth", "2"], ["--scope", "domain"], ["--max-pages", "5"], ["--include", "x"], ["--sitemaps"]] {
            let result = try await blocking { try Parfetch.run(flags + ["http://127.0.0.1:1/"]) }
            #expect(result.status == 2, "\(flags)")
            #expect(result.stderr.contains("\(flags[0]) applies to crawls: add --crawl"), "\(result.stderr)")
        }
        let badPattern = try await blocking { try Parfetch.run(["--crawl", "--exclude", "(", "http://127.0.0.1:1/"]) }
        #expect(badPattern.status == 2)
        #expect(badPattern.stderr.contains("--exclude: not a regular expression: '('"))
        let depth = try await blocking { try Parfetch.run(["--crawl", "--depth", "-1", "http://127.0.0.1:1/"]) }
        #expect(depth.status == 2)
        #expect(depth.stderr.contains("--depth must be from 0 to 1000 (got -1)"))
        let shard = try await blocking { try Parfetch.run(["--crawl", "--shard", "0/2", "http://127.0.0.1:1/"]) }
        #expect(shard.status == 2)
    }

    @Test func aCrawlSaysWhatItLeftAndHasDepthColumns() async throws {
        let server = try await Fixture.server()
        let seed = CrawlSite.seed(port: server.port)
        let stats = try TemporaryFile("")
        let path = stats.path
        let result = try await blocking {
            try Parfetch.run(["--crawl", "--depth", "2", "--format", "csv", "--stats-json", path, seed])
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let crawl = try #require(json["crawl"] as? [String: Any])
        let notFetched = try #require(crawl["not_fetched"] as? [String: Int])
        #expect(notFetched["over_depth"] ?? 0 > 0)
        #expect(crawl["seen"] as? Int ?? 0 > (json["records"] as? Int ?? 0))
        #expect(result.status == 0)
        let header = try #require(result.stdout.split(separator: "\r\n").first)
        #expect(header.contains(",depth,parent,"))
        #expect(result.stderr.contains("crawl: "), "\(result.stderr)")
        #expect(result.stderr.contains("beyond --depth 2"))
    }

    @Test func aSitemapIsAList() async throws {
        let server = try await Fixture.server()
        let result = try await blocking { try Parfetch.run(["--sitemap", "http://a.localhost:\(server.port)/crawl/sitemap.xml", "--fields", "url,depth"]) }
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Records(result.stdout)
        let urls = Set(records.all.compactMap { $0["url"] as? String })
        #expect(urls.count == 7, "\(urls.sorted())")
        #expect(urls.contains("http://a.localhost:\(server.port)/crawl/orphan/3.html"))
        #expect(result.stderr.contains("sitemaps: 3 files read, 7 new URLs listed"), "\(result.stderr)")
        // Read as the list, its pages' links are not followed: beyond depth 0, not 5.
        #expect(result.stderr.contains("beyond --depth 0"), "\(result.stderr)")
    }

    @Test func resumingACrawlWithoutItsFrontierIsRefused() async throws {
        let server = try await Fixture.server()
        let seed = CrawlSite.seed(port: server.port)
        let output = try TemporaryFile("")
        let path = output.path
        let first = try await blocking { try Parfetch.run(["--crawl", "--depth", "1", "-q", "-o", path, seed]) }
        #expect(first.status == 0)
        try FileManager.default.removeItem(atPath: output.path + ".frontier")
        let before = try String(contentsOfFile: output.path, encoding: .utf8)
        let again = try await blocking { try Parfetch.run(["--crawl", "--depth", "1", "--resume", "-o", path, seed]) }
        #expect(again.status == 2)
        #expect(again.stderr.contains(".frontier is missing"), "\(again.stderr)")
        #expect(try String(contentsOfFile: output.path, encoding: .utf8) == before)
    }
}
