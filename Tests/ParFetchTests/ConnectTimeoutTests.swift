import Foundation
import Testing
@testable import ParFetch

/// A TLS handshake that never completes is the connect limit's, like a TCP connect that never
/// completes: named so, and counted towards giving a host up.
@Suite("Crawl: connect timeouts over TLS", .timeLimit(.minutes(2)))
struct ConnectTimeoutTests {
    @Test func aHandshakeNeverAnsweredIsAConnectTimeout() throws {
        let listener = try SilentListener()
        let started = ContinuousClock.now
        let records = try Fixture.crawl(["https://127.0.0.1:\(listener.port)/"]) {
            $0.fetch.connectTimeout = 1
            $0.fetch.timeout = 30
            $0.scheduling.retries = 0
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        let error = try #require(records.first?["error"] as? [String: Any])
        #expect(error["kind"] as? String == "timeout")
        #expect(error["message"] as? String == "connect timeout: no connection within 1 s (--connect-timeout)")
    }

    @Test func hostIsGivenUpAfterConsecutiveHandshakeTimeouts() throws {
        let listener = try SilentListener()
        let hostErrors = 3
        let records = try Fixture.crawl((1...14).map { "https://127.0.0.1:\(listener.port)/\($0)" }) {
            $0.fetch.connectTimeout = 1
            $0.fetch.timeout = 30
            $0.scheduling.hostErrors = hostErrors
            $0.scheduling.retries = 0
            $0.scheduling.perHost = 1
        }
        #expect(records.count == 14)
        let messages = records.map { SchedulingCrawlTests.message($0) }
        let fetched = records.filter { $0["attempts"] as? Int == 1 }
        let givenUp = records.filter { SchedulingCrawlTests.message($0).contains("given up after") }
        #expect(fetched.count == hostErrors, "\(messages)")
        #expect(fetched.allSatisfy {
            SchedulingCrawlTests.kind($0) == "timeout"
                && SchedulingCrawlTests.message($0) == "connect timeout: no connection within 1 s (--connect-timeout)"
        })
        // The rest are skipped, never attempted, with the scheduler's own record.
        #expect(givenUp.count == 14 - hostErrors, "\(messages)")
        #expect(givenUp.allSatisfy { $0["attempts"] as? Int == 0 && SchedulingCrawlTests.kind($0) == "connect" })
    }
}
