import NIOCore
import Testing

@testable import FixtureServer

@Suite(.timeLimit(.minutes(1))) struct RequestLogTests {
    let pages = FixtureServer.defaultPagesDirectory

    @Test func logsCountedRequestsInOrderWithTimes() async throws {
        let started = ContinuousClock.now
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        _ = try await fetchResponses(server, ["/status/200", "/stats", "/flaky?id=1"])
        try await Task.sleep(for: .milliseconds(200))
        _ = try await fetchResponse(server, "/page/index.html?x=1")
        let elapsed = ContinuousClock.now - started
        let log = server.requestLog()
        #expect(log.map(\.uri) == ["/status/200", "/flaky?id=1", "/page/index.html?x=1"])
        #expect(zip(log, log.dropFirst()).allSatisfy { $0.time <= $1.time })
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        #expect(log.allSatisfy { $0.time >= 0 && $0.time <= elapsedSeconds })
        // The third request was sent 200 ms after the second's response arrived.
        #expect(log[2].time - log[1].time >= 0.2)
        server.resetStats()
        #expect(server.requestLog().isEmpty)
        _ = try await fetchResponse(server, "/robots.txt")
        let after = server.requestLog()
        #expect(after.map(\.uri) == ["/robots.txt"])
        #expect(after.allSatisfy { $0.time > log[2].time })
        _ = try await fetchResponse(server, "/stats/reset")
        #expect(server.requestLog().isEmpty)
        try await server.shutdown()
    }

    @Test func keepsTheLastEntries() {
        let log = RequestLog(start: .now(), capacity: 3)
        for index in 1...7 {
            log.append(uri: "/\(index)")
        }
        #expect(log.entries().map(\.uri) == ["/5", "/6", "/7"])
        #expect(zip(log.entries(), log.entries().dropFirst()).allSatisfy { $0.time <= $1.time })
        log.reset()
        #expect(log.entries().isEmpty)
        log.append(uri: "/8")
        #expect(log.entries().map(\.uri) == ["/8"])
    }
}
