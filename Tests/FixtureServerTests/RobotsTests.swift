import NIOCore
import NIOPosix
import Testing

import FixtureServer

@Suite(.timeLimit(.minutes(1))) struct RobotsTests {
    let pages = FixtureServer.defaultPagesDirectory

    @Test(arguments: [
        (FixtureRobots.missing, 404, "not found\n"),
        (.text("User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n"), 200, "User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n"),
        (.text(""), 200, ""),
        (.status(403), 403, "status 403\n"),
        (.status(500), 500, "status 500\n"),
        (.status(503), 503, "status 503\n"),
    ])
    func answersAsConfigured(robots: FixtureRobots, status: Int, body: String) async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages, robots: robots)
        let response = try await fetchResponse(server, "/robots.txt")
        #expect(response.status == status)
        #expect(response.text == body)
        #expect(response.headers["content-type"] == "text/plain")
        try await server.shutdown()
    }

    @Test func missingByDefault() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        #expect(try await fetchResponse(server, "/robots.txt").status == 404)
        try await server.shutdown()
    }

    @Test func redirectStatusSaysWhere() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages, robots: .status(301))
        let response = try await fetchResponse(server, "/robots.txt")
        #expect(response.status == 301)
        #expect(response.headers["location"] == "/page/index.html")
        try await server.shutdown()
    }

    @Test func hangStaysInFlightUntilTheClientCloses() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages, robots: .hang)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.autoRead, value: false)
            .connect(host: "127.0.0.1", port: server.port).get()
        try await channel.writeAndFlush(ByteBuffer(string: "GET /robots.txt HTTP/1.1\r\nHost: t\r\n\r\n"))
        #expect(try await eventually { server.stats().inFlight == 1 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(server.stats().inFlight == 1)
        try await channel.close()
        #expect(try await eventually { server.stats().inFlight == 0 })
        #expect(server.requestLog().map(\.uri) == ["/robots.txt"])
        try await server.shutdown()
    }
}
