import FixtureServer
import Foundation
import Testing
@testable import ParFetch

/// The scheduler in a real crawl, checked from the fixture servers' side: what they saw, and when.
@Suite("Crawl: per-host scheduling", .timeLimit(.minutes(2)))
struct SchedulingCrawlTests {
    static func kind(_ record: [String: Any]) -> String? {
        (record["error"] as? [String: Any])?["kind"] as? String
    }

    static func message(_ record: [String: Any]) -> String {
        (record["error"] as? [String: Any])?["message"] as? String ?? ""
    }

    static func byLine(_ records: [[String: Any]]) -> [Int: [String: Any]] {
        Dictionary(uniqueKeysWithValues: records.map { ($0["line"] as! Int, $0) })
    }

    @Test func perHostLimitHoldsOnEachServer() async throws {
        let a = try await Fixture.start()
        let b = try await Fixture.start()
        let lines = (1...40).map { "\(a.baseURL)/delay/100?i=\($0)" } + (1...40).map { "\(b.baseURL)/delay/100?i=\($0)" }
        let records = try Fixture.crawl(lines) {
            $0.concurrency = 50
            $0.scheduling.perHost = 3
        }
        #expect(records.count == 80)
        #expect(records.allSatisfy { $0["ok"] as? Bool == true })
        // Both hosts at their limit at once: the global limit of 50 was never the bound.
        #expect(a.stats().maxInFlight == 3)
        #expect(b.stats().maxInFlight == 3)
        try await a.shutdown()
        try await b.shutdown()
    }

    @Test func rateLimitPacesRequests() async throws {
        let server = try await Fixture.start()
        let started = ContinuousClock.now
        let records = try Fixture.crawl((1...100).map { "\(server.baseURL)/status/204?i=\($0)" }) {
            $0.scheduling.rate = 20
            $0.scheduling.perHost = 100
        }
        let elapsed = ContinuousClock.now - started
        #expect(records.count == 100)
        #expect(elapsed >= .milliseconds(4500))
        let log = server.requestLog()
        #expect(log.count == 100)
        // Smooth: no second holds more than the rate plus the bucket's two tokens.
        for entry in log {
            #expect(log.filter { $0.time >= entry.time && $0.time < entry.time + 1 }.count <= 22)
        }
        try await server.shutdown()
    }

    @Test func failingTwiceThenSucceedingEndsOkWithThreeAttempts() async throws {
        let server = try await Fixture.start()
        let records = try Fixture.crawl(["\(server.baseURL)/flaky?fail=2&id=a", "\(server.baseURL)/flaky?fail=5&id=b"])
        let byLine = Self.byLine(records)
        #expect(byLine[1]?["ok"] as? Bool == true)
        #expect(byLine[1]?["attempts"] as? Int == 3)
        #expect(byLine[1]?["status"] as? Int == 200)
        // Out of retries: the record describes the last attempt.
        #expect(byLine[2]?["ok"] as? Bool == false)
        #expect(byLine[2]?["attempts"] as? Int == 3)
        #expect(byLine[2]?["status"] as? Int == 503)
        #expect(server.requestLog().count == 6)
        try await server.shutdown()
    }

    @Test func retryAfterIsWaitedAndPausesTheHost() async throws {
        let server = try await Fixture.start()
        let flaky = "/flaky?fail=1&status=429&retry-after=1&id=r"
        let others = (1...5).map { "/status/204?i=\($0)" }
        let records = try Fixture.crawl(([flaky] + others).map { server.baseURL + $0 }) {
            $0.scheduling.perHost = 1
        }
        #expect(records.count == 6)
        let retried = try #require(Self.byLine(records)[1])
        #expect(retried["ok"] as? Bool == true)
        #expect(retried["attempts"] as? Int == 2)
        let log = server.requestLog()
        let flakyTimes = log.filter { $0.uri == flaky }.map(\.time)
        #expect(flakyTimes.count == 2)
        if flakyTimes.count == 2 {
            #expect(flakyTimes[1] - flakyTimes[0] >= 0.9)
            // The whole host waited, not only the URL.
            #expect(log.filter { $0.uri != flaky }.allSatisfy { $0.time - flakyTimes[0] >= 0.9 })
        }
        try await server.shutdown()
    }

    @Test func retryAfterAsADateIsHonoured() async throws {
        let server = try await Fixture.start()
        let records = try Fixture.crawl(["\(server.baseURL)/flaky?fail=1&retry-after-date=2&id=d"])
        #expect(records.first?["attempts"] as? Int == 2)
        let times = server.requestLog().map(\.time)
        // An HTTP date has whole seconds: 2 s ahead is more than 1 s away.
        #expect(times.count == 2 && times[1] - times[0] >= 1.0)
        try await server.shutdown()
    }

    @Test func hostIsGivenUpAfterConsecutiveConnectFailures() throws {
        // Nothing listens on port 1 of loopback: every connect is refused at once.
        let records = try Fixture.crawl((1...30).map { "http://127.0.0.1:1/\($0)" }) {
            $0.scheduling.hostErrors = 4
            $0.scheduling.retries = 0
            $0.scheduling.perHost = 2
        }
        #expect(records.count == 30)
        #expect(records.allSatisfy { Self.kind($0) == "connect" })
        let givenUp = records.filter { Self.message($0).contains("given up after") }
        let fetched = records.filter { $0["attempts"] as? Int == 1 }
        #expect(fetched.count >= 4 && fetched.count <= 5)
        #expect(givenUp.count == 30 - fetched.count)
        #expect(givenUp.allSatisfy { $0["attempts"] as? Int == 0 })
    }

    @Test func robotsDisallowedURLsAreNeverRequested() async throws {
        let robots = "User-agent: *\nDisallow: /page/\nAllow: /page/index.html\n"
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory, robots: .text(robots))
        let paths = ["/page/index.html", "/page/about.txt", "/status/204", "/page/links.html?x=1"]
        let records = try Fixture.crawl(paths.map { server.baseURL + $0 }) { $0.scheduling.robots = true }
        let byLine = Self.byLine(records)
        #expect(byLine[1]?["ok"] as? Bool == true)
        #expect(Self.kind(byLine[2] ?? [:]) == "robots")
        #expect(byLine[2]?["attempts"] as? Int == 0)
        #expect(byLine[3]?["ok"] as? Bool == true)
        #expect(Self.kind(byLine[4] ?? [:]) == "robots")
        #expect(server.requestLog().map(\.uri).sorted() == ["/page/index.html", "/robots.txt", "/status/204"])
        try await server.shutdown()
    }

    /// The loop only drives I/O: robots.txt is parsed on a parse worker, with parsing off too.
    @Test(arguments: [true, false])
    func robotsTxtIsParsedOffTheLoop(parse: Bool) async throws {
        let robots = "User-agent: *\nDisallow: /private\n" + String(repeating: "Allow: /a/*/b$\n", count: 2_000)
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory, robots: .text(robots))
        let misplaced = LoopThreads.misplacedWork.load(ordering: .relaxed)
        let records = try Fixture.crawl(["\(server.baseURL)/status/204", "\(server.baseURL)/private/x"]) {
            $0.scheduling.robots = true
            $0.parse = parse
        }
        let byLine = Self.byLine(records)
        #expect(byLine[1]?["ok"] as? Bool == true)
        #expect(Self.kind(byLine[2] ?? [:]) == "robots")
        #expect(LoopThreads.misplacedWork.load(ordering: .relaxed) == misplaced)
        try await server.shutdown()
    }

    @Test(arguments: [(FixtureRobots.status(503), false), (.status(404), true), (.missing, true)])
    func robotsStatusDecides(robots: FixtureRobots, fetched: Bool) async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory, robots: robots)
        let records = try Fixture.crawl((1...3).map { "\(server.baseURL)/status/204?i=\($0)" }) {
            $0.scheduling.robots = true
        }
        #expect(records.count == 3)
        #expect(records.allSatisfy { (Self.kind($0) == "robots") != fetched })
        #expect(server.requestLog().count == (fetched ? 4 : 1))
        try await server.shutdown()
    }

    /// Skipped lines free look-ahead without a transfer whose end would wake the loop: the
    /// run must still read the rest of the list.
    @Test(arguments: [FixtureRobots.status(503), .text("User-agent: *\nDisallow: /\n")])
    func everythingSkippedWithASmallLookaheadStillFinishes(robots: FixtureRobots) async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory, robots: robots)
        let records = try Fixture.crawl((1...200).map { "\(server.baseURL)/status/204?i=\($0)" }) {
            $0.scheduling.robots = true
            $0.scheduling.lookahead = 5
        }
        #expect(records.count == 200)
        #expect(records.allSatisfy { Self.kind($0) == "robots" })
        #expect(server.requestLog().map(\.uri) == ["/robots.txt"])
        try await server.shutdown()
    }

    @Test func aURLWithOneSlashIsFiledUnderItsHost() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory, robots: .text("User-agent: *\nDisallow: /private\n"))
        // libcurl reads `http:/host/x` as `http://host/x`; so must robots.txt.
        let base = server.baseURL.replacingOccurrences(of: "http://", with: "http:/")
        let records = try Fixture.crawl(["\(base)/status/204", "\(base)/private/x"]) { $0.scheduling.robots = true }
        let byLine = Self.byLine(records)
        #expect(byLine[1]?["status"] as? Int == 204)
        #expect(Self.kind(byLine[2] ?? [:]) == "robots")
        #expect(server.requestLog().map(\.uri) == ["/robots.txt", "/status/204"])
        try await server.shutdown()
    }

    @Test func stallAndTotalTimeoutsNameTheirPhase() async throws {
        let server = try await Fixture.server()
        let records = try Fixture.crawl(["\(server.baseURL)/drip?bytes=3&ms=2500", "\(server.baseURL)/hang"]) {
            $0.fetch.stallTimeout = 1
            $0.fetch.timeout = 2
            $0.scheduling.retries = 0
        }
        let byLine = Self.byLine(records)
        #expect(Self.kind(byLine[1] ?? [:]) == "timeout")
        // The first body byte comes after 2.5 s.
        #expect(Self.message(byLine[1] ?? [:]) == "stall timeout: no body byte within 1 s (--stall-timeout)")
        #expect(Self.kind(byLine[2] ?? [:]) == "timeout")
        // /hang sends nothing: the stall limit (1 s) fires before the total one (2 s).
        #expect(Self.message(byLine[2] ?? [:]).hasPrefix("stall timeout"))
        let total = try Fixture.crawl(["\(server.baseURL)/drip?bytes=20&ms=200"]) {
            $0.fetch.stallTimeout = 3
            $0.fetch.timeout = 1
            $0.scheduling.retries = 0
        }
        #expect(Self.message(total.first ?? [:]).hasPrefix("total timeout: not complete within 1 s, with "))
        #expect(Self.message(total.first ?? [:]).hasSuffix(" bytes received (--timeout)"))
    }

    @Test func connectTimeoutNamesItsPhase() throws {
        let listener = try FullBacklog()
        let records = try Fixture.crawl(["http://127.0.0.1:\(listener.port)/"]) {
            $0.fetch.connectTimeout = 1
            $0.scheduling.retries = 0
        }
        #expect(Self.kind(records.first ?? [:]) == "timeout")
        #expect(Self.message(records.first ?? [:]) == "connect timeout: no connection within 1 s (--connect-timeout)")
    }

    @Test func decompressionBombEndsTooLarge() async throws {
        let server = try await Fixture.server()
        let records = try Fixture.crawl(["\(server.baseURL)/gzip-bomb/64M"]) {
            $0.fetch.maxSize = 1 << 20
        }
        #expect(Self.kind(records.first ?? [:]) == "too_large")
        #expect(records.first?["status"] as? Int == 200)
    }

    /// 2,000 URLs of a slow host listed before 20 of a fast one: the fast host's records all
    /// come early, not after the slow host's queue.
    @Test func aSlowHostAtTheHeadDoesNotHoldBackAFastOne() async throws {
        let slow = try await Fixture.start()
        let fast = try await Fixture.start()
        let lines = (1...2000).map { "\(slow.baseURL)/delay/20?i=\($0)" } + (1...20).map { "\(fast.baseURL)/page/index.html?i=\($0)" }
        let started = ContinuousClock.now
        let records = try Fixture.crawl(lines) { $0.scheduling.perHost = 4 }
        let elapsed = ContinuousClock.now - started
        #expect(records.count == 2020)
        let fastPositions = records.enumerated().filter { ($0.element["line"] as! Int) > 2000 }.map(\.offset)
        #expect(fastPositions.count == 20)
        #expect(fastPositions.allSatisfy { $0 < 202 }, "positions \(fastPositions)")
        // And in time, from the servers' logs.
        let slowLog = slow.requestLog()
        let fastLog = fast.requestLog()
        if let first = slowLog.first?.time, let lastFast = fastLog.last?.time {
            // Both servers count from their own start; they started within milliseconds.
            #expect(lastFast - first < 0.1 * Double(elapsed.components.seconds) + 0.2)
        }
        try await slow.shutdown()
        try await fast.shutdown()
    }
}

/// A loopback port that never completes a connection: its accept queue (backlog 0) is filled
/// by connections nobody accepts, so the kernel drops further SYNs and a client's connect
/// hangs until its own limit.
final class FullBacklog {
    private let listener: SilentListener
    private var clients: [Int32] = []

    var port: Int { listener.port }

    init() throws {
        listener = try SilentListener(backlog: 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(listener.port).bigEndian
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        for _ in 0..<3 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            clients.append(client)
            _ = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
            }
        }
        usleep(100_000)
    }

    deinit {
        for client in clients { close(client) }
    }
}
