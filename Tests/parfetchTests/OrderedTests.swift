import FixtureServer
import Foundation
import Testing

/// `--ordered`: input order through a bounded reorder window.
@Suite("ordered output", .timeLimit(.minutes(1)))
struct OrderedTests {
    @Test func recordsComeInInputOrderBehindASlowFirstURL() async throws {
        let server = try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
        let lines = ["\(server.baseURL)/delay/1500"] + (1...150).map { "\(server.baseURL)/status/204?i=\($0)" }
            + ["not a url"] + (1...20).map { "\(server.baseURL)/page/index.html?i=\($0)" }
        let list = try TemporaryFile(lines.joined(separator: "\n"))
        let result = try Parfetch.run(["-j", "10", "--per-host", "10", "--ordered", list.path])
        #expect(result.status == 0)
        let records = try Records(result.stdout)
        #expect(records.all.map { $0["line"] as? Int } == Array(1...172).map { Optional($0) })
        // While the first URL was in flight, at most the window (4 × -j = 40) of lines were
        // let into the run: the server saw at most 39 others before it answered.
        let log = server.requestLog()
        let slow = try #require(log.first { $0.uri == "/delay/1500" })
        #expect(log.filter { $0.time < slow.time + 1.4 }.count <= 40)
        try await server.shutdown()
    }

    @Test func withoutOrderedTheSlowURLComesLast() async throws {
        let server = try await Fixture.server()
        let lines = ["\(server.baseURL)/delay/500"] + (1...20).map { "\(server.baseURL)/status/204?i=\($0)" }
        let list = try TemporaryFile(lines.joined(separator: "\n"))
        let result = try Parfetch.run(["-j", "10", list.path])
        let records = try Records(result.stdout)
        #expect(records.all.last?["line"] as? Int == 1)
    }
}
