import FixtureServer
import Foundation
import Testing
@testable import ParFetch

@Suite("Fetcher against the fixture server", .timeLimit(.minutes(1)))
struct FetcherTests {
    func fetch(_ path: String, _ configure: (inout FetchConfiguration) -> Void = { _ in }) async throws -> Response {
        try await Fixture.fetch(path, configure)
    }

    @Test func page() async throws {
        let response = try await fetch("/page/index.html")
        let file = try Fixture.page("index.html")
        #expect(response.error == nil)
        #expect(response.status == 200)
        #expect(response.ok)
        #expect(response.bytes == file.count)
        #expect(Data(response.body) == file)
        #expect(response.contentType?.hasPrefix("text/html") == true)
        #expect(response.httpVersion == "1.1")
        #expect(response.redirects == 0)
        #expect(response.finalURL == response.url)
        #expect((response.timing?.totalMicroseconds ?? 0) > 0)
        #expect(response.timing?.tlsMicroseconds == nil)
    }

    @Test(arguments: [404, 500, 503, 204])
    func status(code: Int) async throws {
        let response = try await fetch("/status/\(code)")
        #expect(response.status == code)
        #expect(response.error == nil)
        #expect(response.ok == (code == 204))
    }

    @Test func redirectsAreFollowedAndCounted() async throws {
        let response = try await fetch("/redirect/3")
        #expect(response.status == 200)
        #expect(response.redirects == 3)
        #expect(response.finalURL?.hasSuffix("/redirect/0") == true)
        #expect(response.url.hasSuffix("/redirect/3"))
    }

    @Test func tooManyRedirects() async throws {
        let response = try await fetch("/redirect/5") { $0.maxRedirects = 2 }
        #expect(response.error?.kind == .tooManyRedirects)
        #expect(response.error?.message == "more than 2 redirects (--max-redirects)")
        #expect(!response.ok)
    }

    @Test(arguments: ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/"])
    func redirectToAnotherSchemeIsRefused(target: String) async throws {
        let response = try await fetch("/redirect-to?url=" + target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        #expect(response.error?.kind == .unsupportedScheme)
        #expect(response.bytes == 0)
    }

    @Test(arguments: ["gzip", "chunked"])
    func encodedBodiesArriveDecoded(route: String) async throws {
        let response = try await fetch("/\(route)/article.html")
        let file = try Fixture.page("article.html")
        #expect(response.error == nil)
        #expect(response.bytes == file.count)
        #expect(Data(response.body) == file)
    }

    @Test func bytesCountsWithoutKeepingTheBody() async throws {
        let response = try await fetch("/bytes/300000") { $0.bodies = .none }
        #expect(response.ok)
        #expect(response.bytes == 300_000)
        #expect(response.body.isEmpty)
    }

    @Test(arguments: [
        "/bytes/2000000",          // Content-Length over the limit: refused before reading
        "/chunked/article.html",   // no length: stopped by the write callback
        "/gzip/article.html",      // small on the wire, over the limit once decoded
    ])
    func bodiesOverTheLimitEndAsTooLarge(path: String) async throws {
        let response = try await fetch(path) { $0.maxSize = 2_000 }
        #expect(response.error?.kind == .tooLarge)
        #expect(response.error?.message == "body larger than 2000 bytes (--max-size)")
        #expect(response.status == 200)
        #expect(!response.ok)
        #expect(response.body.isEmpty)
        #expect(response.bytes <= 2_000 + 16_384 * 4)
    }

    @Test func closeEarlyIsAReset() async throws {
        let response = try await fetch("/close-early")
        #expect(response.error?.kind == .reset)
        #expect(response.status == 200)
    }

    @Test func resetIsAReset() async throws {
        let response = try await fetch("/reset")
        #expect(response.error?.kind == .reset)
        #expect(response.status == nil)
    }

    @Test func hangEndsAtTheTimeout() async throws {
        let start = ContinuousClock.now
        let response = try await fetch("/hang") { $0.timeout = 0.5 }
        let elapsed = ContinuousClock.now - start
        #expect(response.error?.kind == .timeout)
        #expect(elapsed >= .milliseconds(450))
        #expect(elapsed < .seconds(15))  // generous: the suite shares 2 cores with big transfers
    }

    @Test func dripArrivesWhole() async throws {
        let response = try await fetch("/drip?bytes=5&ms=40")
        #expect(response.ok)
        #expect(response.bytes == 5)
    }

    @Test func refusedConnectionIsConnect() async throws {
        let fetcher = try Fetcher()
        defer { fetcher.shutdown() }
        let response = await fetcher.fetch(Request(url: "http://127.0.0.1:1/"))
        #expect(response.error?.kind == .connect)
        #expect(response.error?.message.hasPrefix("connection refused: Failed to connect to 127.0.0.1 port 1 ") == true)
        #expect(response.status == nil)
    }

    @Test func httpsToAPlainHTTPPortSaysTheServerMaySpeakHTTP() async throws {
        let server = try await Fixture.server()
        let fetcher = try Fetcher()
        defer { fetcher.shutdown() }
        let url = server.baseURL.replacingOccurrences(of: "http://", with: "https://") + "/page/about.txt"
        let response = await fetcher.fetch(Request(url: url))
        #expect(response.error?.kind == .tls)
        #expect(response.error?.message.hasSuffix("; the server may speak plain HTTP (try http://)") == true)
    }

    @Test func headersUserAgentAndEncodingsAreSent() async throws {
        let response = try await fetch("/headers") {
            $0.headers = ["X-Parfetch-Test: yes", "Accept:"]
            $0.userAgent = "tester/1.0"
        }
        let lines = String(decoding: response.body, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.first == "GET /headers")
        #expect(lines.contains("X-Parfetch-Test: yes"))
        #expect(lines.contains("User-Agent: tester/1.0"))
        #expect(!lines.contains { $0.lowercased().hasPrefix("accept:") })
        let encodings = lines.first { $0.lowercased().hasPrefix("accept-encoding:") } ?? ""
        #expect(encodings.contains("gzip") && encodings.contains("br") && encodings.contains("zstd"))
    }

    @Test func requestHeadersAddToTheConfiguration() async throws {
        let server = try await Fixture.server()
        var configuration = FetchConfiguration()
        configuration.headers = ["X-One: 1"]
        let fetcher = try Fetcher(configuration: configuration)
        defer { fetcher.shutdown() }
        let response = await fetcher.fetch(Request(url: server.baseURL + "/headers", headers: ["X-Two: 2"]))
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("X-One: 1\n") && text.contains("X-Two: 2\n"))
    }

    @Test func proxyIsUsed() async throws {
        let server = try await Fixture.server()
        var configuration = FetchConfiguration()
        configuration.proxy = server.baseURL
        let fetcher = try Fetcher(configuration: configuration)
        defer { fetcher.shutdown() }
        let response = await fetcher.fetch(Request(url: "http://proxied.localhost/headers"))
        #expect(response.ok)
        #expect(String(decoding: response.body, as: UTF8.self).hasPrefix("GET http://proxied.localhost/headers\n"))
    }

    @Test func cancellingAFetchRemovesItsTransfer() async throws {
        let server = try await Fixture.start()
        let fetcher = try Fetcher()
        let task = Task { await fetcher.fetch(Request(url: server.baseURL + "/hang")) }
        try await waitUntil { server.stats().inFlight == 1 }
        task.cancel()
        let response = await task.value
        #expect(response.error?.kind == .interrupted)
        // The transfer's connection is closed, so the server no longer has it in flight.
        try await waitUntil { server.stats().inFlight == 0 }
        fetcher.shutdown()
        try await server.shutdown()
    }

    @Test func fetchAfterShutdownIsInterrupted() async throws {
        let fetcher = try Fetcher()
        fetcher.shutdown()
        let response = await fetcher.fetch(Request(url: "http://127.0.0.1:1/"))
        #expect(response.error?.kind == .interrupted)
    }

    @Test func streamingRespectsTheConcurrencyLimit() async throws {
        let server = try await Fixture.start()
        let fetcher = try Fetcher()
        let requests = (1...200).map { Request(url: server.baseURL + "/delay/50?i=\($0)") }
        var count = 0
        for await response in fetcher.responses(for: requests.async, concurrency: 8) {
            #expect(response.ok)
            count += 1
        }
        let stats = server.stats()
        #expect(count == 200)
        #expect(stats.requests == 200)
        #expect(stats.maxInFlight <= 8)
        #expect(stats.maxInFlight >= 6)
        fetcher.shutdown()
        try await server.shutdown()
    }
}

/// Polls `condition` every 10 ms for up to `limit`.
func waitUntil(_ limit: Duration = .seconds(5), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(limit)")
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

extension Array where Element: Sendable {
    /// The array as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
