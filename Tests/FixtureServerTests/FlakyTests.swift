import Foundation
import Testing

@testable import FixtureServer

@Suite(.timeLimit(.minutes(1))) struct FlakyTests {
    let pages = FixtureServer.defaultPagesDirectory

    @Test func failsThenSucceedsPerURI() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        let a = "/flaky?fail=2&id=a"
        let first = try await fetchResponses(server, [a, a, a])
        #expect(first.map(\.status) == [503, 503, 200])
        #expect(first.map(\.text) == ["flaky failure 1 of 2\n", "flaky failure 2 of 2\n", "ok after 2 failures\n"])
        #expect(first[2].headers["content-type"] == "text/plain")
        // Another id is another URL with its own count; the count of a is shared by connections.
        #expect(try await fetchResponse(server, "/flaky?fail=2&id=b").status == 503)
        #expect(try await fetchResponse(server, a).status == 200)
        server.resetStats()
        #expect(try await fetchResponse(server, a).status == 503)
        _ = try await fetchResponse(server, "/stats/reset")
        #expect(try await fetchResponse(server, a).status == 503)
        try await server.shutdown()
    }

    @Test func statusAndZeroFailures() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        let responses = try await fetchResponses(server, ["/flaky?status=429", "/flaky?status=429", "/flaky?fail=0"])
        #expect(responses.map(\.status) == [429, 200, 200])
        #expect(responses[2].text == "ok after 0 failures\n")
        try await server.shutdown()
    }

    /// Requests on separate connections (so on several event loops) share one count exactly.
    @Test func countsAcrossConcurrentConnections() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask { try await fetchResponse(server, "/flaky?fail=7&id=many").status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 503 }.count == 7)
        #expect(statuses.filter { $0 == 200 }.count == 13)
        try await server.shutdown()
    }

    @Test func retryAfterSeconds() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        let path = "/flaky?status=429&retry-after=30"
        let responses = try await fetchResponses(server, [path, path, "/flaky?id=plain"])
        #expect(responses[0].status == 429)
        #expect(responses[0].headers["retry-after"] == "30")
        #expect(responses[1].status == 200)
        #expect(responses[1].headers["retry-after"] == nil)
        #expect(responses[2].status == 503)
        #expect(responses[2].headers["retry-after"] == nil)
        try await server.shutdown()
    }

    @Test func retryAfterDateIsThatFarAhead() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        let response = try await fetchResponse(server, "/flaky?retry-after-date=120")
        let now = Date()
        #expect(response.status == 503)
        let value = try #require(response.headers["retry-after"])
        let date = try #require(Self.imfFixdateParser.date(from: value), "not an IMF-fixdate: \(value)")
        // The date has whole seconds, and the response took a moment to arrive.
        #expect((117...121).contains(date.timeIntervalSince(now)), "\(value) is not 120 s after \(now)")
        try await server.shutdown()
    }

    /// Foundation's formatter as an independent check of the hand-made one.
    static let imfFixdateParser: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()

    @Test func httpDates() {
        #expect(HTTPDate.imfFixdate(secondsSince1970: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.imfFixdate(secondsSince1970: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.imfFixdate(secondsSince1970: 951_782_399) == "Mon, 28 Feb 2000 23:59:59 GMT")
        #expect(HTTPDate.imfFixdate(secondsSince1970: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDate.imfFixdate(secondsSince1970: 4_107_542_400) == "Mon, 01 Mar 2100 00:00:00 GMT")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let seconds = Int.random(in: 0...3_000_000_000, using: &generator)
            let expected = Self.imfFixdateParser.string(from: Date(timeIntervalSince1970: Double(seconds)))
            #expect(HTTPDate.imfFixdate(secondsSince1970: seconds) == expected)
        }
    }
}
