import FixtureServer
import Foundation
import Testing
@testable import ParFetch

/// Crawl mode against the fixture server's crawl site (`CrawlSite`), whose model gives the
/// breadth-first reference each crawl is compared with.
@Suite("Crawl mode", .timeLimit(.minutes(3)))
struct CrawlModeTests {
    struct Outcome {
        var records: [[String: Any]]
        var log: [LoggedRequest]
        var report: CrawlMonitor.CrawlReport?

        var urls: Set<String> { Set(records.compactMap { $0["url"] as? String }) }

        func record(_ url: String) -> [String: Any]? { records.first { $0["url"] as? String == url } }

        /// Requests the server saw more than once, as host and path.
        var repeatedRequests: [String] {
            Dictionary(grouping: log, by: { "\($0.host)\($0.uri)" }).filter { $0.value.count > 1 }.keys.sorted()
        }
    }

    /// Crawls from `seeds` on a server of its own and returns the records and what it saw.
    static func crawl(_ seeds: [String], server: FixtureServer, concurrency: Int = 16,
                      _ configure: (inout CrawlSettings, inout CrawlOptions) -> Void) async throws -> Outcome {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("crawl-\(UUID().uuidString).jsonl").path
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: output + ".frontier")
        }
        var options = CrawlOptions()
        options.concurrency = concurrency
        options.scheduling.perHost = concurrency
        options.fetch.timeout = 10 * Fixture.slowdown
        var settings = CrawlSettings()
        settings.frontierPath = output + ".frontier"
        configure(&settings, &options)
        options.crawl = settings
        let writer = try RecordWriter(path: output)
        let monitor = CrawlMonitor()
        let run = options
        let closed = try await blocking {
            try Crawl.run(inputs: try ListInputs(arguments: seeds), writer: writer, options: run, monitor: monitor)
            return writer.close()
        }
        #expect(closed == nil)
        let records = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        return Outcome(records: records, log: server.requestLog().filter { $0.uri.hasPrefix("/crawl/") }, report: monitor.crawlReport)
    }

    static func start() async throws -> FixtureServer {
        try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
    }

    /// The scope as the reference applies it.
    static func follows(_ scope: CrawlScope.Kind, port: Int) -> (String) -> Bool {
        { url in
            switch scope {
            case .host: url.hasPrefix("http://a.localhost:\(port)/")
            case .domain: url.hasPrefix("http://a.localhost:\(port)/") || url.hasPrefix("http://shop.a.localhost:\(port)/")
            case .prefix: url.hasPrefix("http://a.localhost:\(port)/crawl/docs/v1/")
            case .any: true
            }
        }
    }

    @Test(arguments: [CrawlScope.Kind.host, .domain, .prefix, .any], 1...4)
    func theFetchedSetIsTheBreadthFirstReference(scope: CrawlScope.Kind, depth: Int) async throws {
        let server = try await Self.start()
        defer { Task { try await server.shutdown() } }
        let seed = scope == .prefix ? "http://a.localhost:\(server.port)/crawl/docs/v1/index.html" : CrawlSite.seed(port: server.port)
        let outcome = try await Self.crawl([seed], server: server) { settings, _ in
            settings.depth = depth
            settings.scope = CrawlScope(kind: scope)
        }
        let reference = CrawlSite.breadthFirst(from: [seed], depth: depth, follows: Self.follows(scope, port: server.port))
        #expect(outcome.urls == Set(reference.keys), "missing \(Set(reference.keys).subtracting(outcome.urls).sorted()), extra \(outcome.urls.subtracting(reference.keys).sorted())")
        #expect(outcome.records.count == reference.count, "one record per URL")
        for record in outcome.records {
            let url = try #require(record["url"] as? String)
            #expect(record["depth"] as? Int == reference[url], "\(url)")
            if record["depth"] as? Int != 0 { #expect(record["parent"] is String, "\(url)") }
            // Only http(s) links are ever followed.
            #expect(url.hasPrefix("http://"))
        }
        #expect(outcome.repeatedRequests.isEmpty, "the server saw these more than once: \(outcome.repeatedRequests)")
    }

    /// x is two links away through a slow page and four through fast ones: whatever order the
    /// transfers finish in, it is a depth-2 page, and its link to y is followed at depth 3.
    @Test(arguments: [2, 3])
    func depthIsTheShortestPathWhateverFinishesFirst(depth: Int) async throws {
        let server = try await Self.start()
        defer { Task { try await server.shutdown() } }
        let outcome = try await Self.crawl([CrawlSite.seed(port: server.port)], server: server, concurrency: 50) { settings, _ in
            settings.depth = depth
        }
        let base = "http://a.localhost:\(server.port)/crawl/depth/"
        #expect(outcome.record(base + "x.html")?["depth"] as? Int == 2)
        #expect(outcome.record(base + "x.html")?["parent"] as? String == base + "slow.html")
        #expect(outcome.record(base + "fast-3.html")?["depth"] as? Int == (depth >= 3 ? 3 : nil))
        #expect((outcome.record(base + "y.html")?["depth"] as? Int) == (depth >= 3 ? 3 : nil))
    }

    @Test func aRedirectOutOfScopeIsNotFollowed() async throws {
        let server = try await Self.start()
        defer { Task { try await server.shutdown() } }
        let a = "http://a.localhost:\(server.port)/crawl/"
        let outcome = try await Self.crawl([a + "redirect/away", a + "redirect/stay"], server: server) { settings, _ in
            settings.depth = 1
        }
        let away = try #require(outcome.record(a + "redirect/away"))
        #expect((away["error"] as? [String: Any])?["kind"] as? String == "out_of_scope")
        #expect(((away["error"] as? [String: Any])?["message"] as? String)?.contains("b.localhost") == true)
        #expect(away["status"] as? Int == 302)
        #expect(!outcome.log.contains { $0.host == "b.localhost" }, "the redirect was not followed")
        let stay = try #require(outcome.record(a + "redirect/stay"))
        #expect(stay["final_url"] as? String == a + "redirect/landing.html")
        #expect(stay["ok"] as? Bool == true)
        // The landing page's link (tree/0) was followed; the landing page itself not again.
        #expect(outcome.record(a + "tree/0.html")?["parent"] as? String == a + "redirect/landing.html")
        #expect(outcome.record(a + "redirect/landing.html") == nil)
    }

    /// Seeds are read while pages are fetched: a seed read after a page linked it is fetched
    /// once, as the seed (depth 0), not again from the frontier at depth 1.
    @Test func aSeedLinkedBeforeItIsReadIsFetchedOnce() async throws {
        let server = try await Self.start()
        defer { Task { try await server.shutdown() } }
        let a = "http://a.localhost:\(server.port)/crawl/"
        // The list's middle holds the reading back (a small look-ahead, a bounded queue)
        // until the first page's links are in.
        let filler = (0..<3_000).map { "\(server.baseURL)/status/204?i=\($0)" }
        let outcome = try await Self.crawl([a] + filler + [a + "tree/0.html"], server: server, concurrency: 4) { settings, options in
            settings.depth = 1
            settings.scope = CrawlScope(kind: .host)
            options.scheduling.lookahead = 8
        }
        let tree = outcome.records.filter { $0["url"] as? String == a + "tree/0.html" }
        #expect(tree.count == 1)
        #expect(tree.first?["depth"] as? Int == 0)
        #expect(outcome.log.filter { $0.uri == "/crawl/tree/0.html" }.count == 1)
        #expect(outcome.report?.unfetched.fetchedAlready == 1)
    }

    @Test func robotsDisallowGetsARecordAndNoRequest() async throws {
        let server = try await Self.start()
        defer { Task { try await server.shutdown() } }
        let outcome = try await Self.crawl([CrawlSite.seed(port: server.port)], server: server) { settings, options in
            settings.depth = 4
            options.scheduling.robots = true
        }
        let secret = try #require(outcome.record("http://a.localhost:\(server.port)/crawl/private/secret.html"))
        #expect((secret["error"] as? [String: Any])?["kind"] as? String == "robots")
        #expect(!outcome.log.contains { $0.uri.hasPrefix("/crawl/private/") })
    }

    @Test func theCalendarTrapEndsAtTheBudgets() async throws {
        let server = try await Self.start()
        defer { Task { try await server.shutdown() } }
        let day = "http://a.localhost:\(server.port)/crawl/calendar/2026-12-04.html"
        // The calendar also links the site's root: the pattern keeps the crawl in the trap.
        let calendar = CrawlScope(kind: .host, include: [try URLPattern("/crawl/calendar/")])
        let byDepth = try await Self.crawl([day], server: server) { settings, _ in
            settings.depth = 30
            settings.scope = calendar
        }
        #expect(byDepth.records.count == 31)
        #expect(byDepth.record("http://a.localhost:\(server.port)/crawl/calendar/2027-01-03.html")?["depth"] as? Int == 30)
        #expect(byDepth.report?.unfetched.overDepth == 1)
        #expect(byDepth.report?.unfetched.excluded == 1)
        let byPages = try await Self.crawl([day], server: server) { settings, _ in
            settings.depth = 1_000
            settings.scope = calendar
            settings.maxPages = 12
        }
        #expect(byPages.records.count == 12)
        #expect(byPages.report?.unfetched.overBudget ?? 0 >= 1)
    }

    @Test func pagesPerHostBudget() async throws {
        let server = try await Self.start()
        defer { Task { try await server.shutdown() } }
        let outcome = try await Self.crawl([CrawlSite.seed(port: server.port)], server: server) { settings, _ in
            settings.depth = 10
            settings.scope = CrawlScope(kind: .any)
            settings.maxPagesPerHost = 5
        }
        let hosts = Dictionary(grouping: outcome.records) { URL(string: $0["url"] as! String)!.host! }
        #expect(hosts["a.localhost"]?.count == 5)
        #expect(hosts.values.allSatisfy { $0.count <= 5 })
    }

    @Test func includeAndExcludePatterns() async throws {
        let server = try await Self.start()
        defer { Task { try await server.shutdown() } }
        let outcome = try await Self.crawl([CrawlSite.seed(port: server.port)], server: server) { settings, _ in
            settings.depth = 6
            settings.scope = CrawlScope(kind: .host, include: [try! URLPattern("/crawl/tree/")],
                                        exclude: [try! URLPattern("/tree/[0-9]*[13579]\\.html$")])
        }
        let found = outcome.urls.subtracting([CrawlSite.seed(port: server.port)])
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.contains("/crawl/tree/") && !"13579".contains($0.dropLast(5).last!) }, "\(found.sorted())")
        #expect(outcome.report?.unfetched.excluded ?? 0 > 0)
    }

    @Test func sitemapsSeedTheCrawlWithTheirOrphans() async throws {
        let server = try await Self.start()
        defer { Task { try await server.shutdown() } }
        let seed = CrawlSite.seed(port: server.port)
        let outcome = try await Self.crawl([seed], server: server) { settings, _ in
            settings.depth = 0
            settings.sitemaps = [.robotsTxt(of: CheckedURL.valid(seed))]
        }
        let orphans = (0..<CrawlSite.orphanCount).map { "http://a.localhost:\(server.port)/crawl/orphan/\($0).html" }
        for orphan in orphans {
            let record = try #require(outcome.record(orphan), "\(orphan)")
            #expect(record["depth"] as? Int == 0)
            #expect((record["parent"] as? String)?.contains("/crawl/sitemap") == true)
        }
        // The index, its plain and gzip sitemaps, and the one sent gzip-encoded.
        #expect(outcome.report?.sitemaps?.files == 4)
        #expect(outcome.report?.sitemaps?.failures == [])
        // Listed pages the crawl reaches anyway are fetched once.
        #expect(outcome.repeatedRequests.isEmpty, "\(outcome.repeatedRequests)")
    }
}
