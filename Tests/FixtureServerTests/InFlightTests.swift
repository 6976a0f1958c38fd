import NIOCore
import NIOPosix
import Testing

import FixtureServer

/// Polls until `condition` holds, for at most `seconds`.
func eventually(seconds: Double = 20, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// Sends raw requests and reads raw responses with a bounded wait.
func fetch(
    _ server: FixtureServer, _ paths: [String], host: String = "t", closeAfterRequests: Bool = true
) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: server.port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await channel.executeThenClose { inbound, outbound in
        for (index, path) in paths.enumerated() {
            let last = index == paths.count - 1
            try await outbound.write(
                ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\(last ? "Connection: close\r\n" : "")\r\n")
            )
        }
        var text = ""
        for try await buffer in inbound {
            text += String(buffer: buffer)
        }
        return text
    }
}

@Suite(.timeLimit(.minutes(1))) struct InFlightTests {
    let pages = FixtureServer.defaultPagesDirectory

    // Long delays: on a loaded machine the eight connections may take a while to open.
    @Test func concurrentDelaysAreAllInFlightThenNone() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { try await fetch(server, ["/delay/3000"]) }
            }
            #expect(try await eventually { server.stats().inFlight == 8 })
            for try await response in group {
                #expect(response.hasPrefix("HTTP/1.1 200 OK"))
                #expect(response.hasSuffix("delayed 3000\n"))
            }
        }
        #expect(try await eventually { server.stats().inFlight == 0 })
        let stats = server.stats()
        #expect(stats == FixtureStats(requests: 8, connections: 8, maxInFlight: 8, inFlight: 0, maxInFlightByHost: ["t": 8]))
        try await server.shutdown()
    }

    // The Host header tells hosts apart though they reach the same server, case aside.
    @Test func inFlightIsCountedPerHostHeader() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        let hosts = ["a.localhost:8", "a.localhost:8", "A.LOCALHOST:8", "localhost:8", "localhost:8"]
        try await withThrowingTaskGroup(of: String.self) { group in
            for host in hosts {
                group.addTask { try await fetch(server, ["/delay/3000"], host: host) }
            }
            #expect(try await eventually { server.stats().inFlight == 5 })
            #expect(server.stats().inFlightByHost == ["a.localhost:8": 3, "localhost:8": 2])
            for try await response in group {
                #expect(response.hasPrefix("HTTP/1.1 200 OK"))
            }
        }
        #expect(try await eventually { server.stats().inFlight == 0 })
        let stats = server.stats()
        #expect(stats.maxInFlight == 5)
        #expect(stats.maxInFlightByHost == ["a.localhost:8": 3, "localhost:8": 2])
        #expect(stats.inFlightByHost == [:])
        let json = try await fetch(server, ["/stats"])
        #expect(json.contains(#""max_in_flight_by_host":{"a.localhost:8":3,"localhost:8":2}"#))
        try await server.shutdown()
    }

    @Test func keepAliveCountsOneConnection() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        let response = try await fetch(server, ["/page/index.html", "/status/201", "/redirect/0", "/stats"])
        #expect(response.components(separatedBy: "HTTP/1.1 ").count == 5)
        #expect(try await eventually { server.stats().inFlight == 0 })
        #expect(server.stats() == FixtureStats(requests: 3, connections: 1, maxInFlight: 1, inFlight: 0, maxInFlightByHost: ["t": 1]))
        try await server.shutdown()
    }

    @Test(arguments: ["/hang", "/delay/10000", "/drip?bytes=100&ms=100", "/bytes/1000000000"])
    func clientCloseEndsTheRequest(path: String) async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        // The client never reads, so even /bytes/1000000000 stays in flight (the server waits
        // on backpressure) until the client closes.
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.autoRead, value: false)
            .connect(host: "127.0.0.1", port: server.port).get()
        try await channel.writeAndFlush(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n"))
        #expect(try await eventually { server.stats().inFlight == 1 })
        try await channel.close()
        #expect(try await eventually { server.stats().inFlight == 0 })
        #expect(server.stats().requests == 1)
        try await server.shutdown()
    }

    @Test(arguments: ["/close-early", "/reset"])
    func serverCloseEndsTheRequest(path: String) async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        _ = try? await fetch(server, [path])
        #expect(try await eventually { server.stats().inFlight == 0 })
        #expect(server.stats() == FixtureStats(requests: 1, connections: 1, maxInFlight: 1, inFlight: 0, maxInFlightByHost: ["t": 1]))
        try await server.shutdown()
    }

    @Test func resetKeepsInFlightAndRestartsMax() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        _ = try await fetch(server, ["/status/200", "/status/200"])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: server.port).get()
        try await channel.writeAndFlush(ByteBuffer(string: "GET /hang HTTP/1.1\r\nHost: t\r\n\r\n"))
        #expect(try await eventually { server.stats().inFlight == 1 })
        server.resetStats()
        #expect(server.stats() == FixtureStats(
            requests: 0, connections: 0, maxInFlight: 1, inFlight: 1, maxInFlightByHost: ["t": 1], inFlightByHost: ["t": 1]
        ))
        let reset = try await fetch(server, ["/stats/reset"])
        #expect(reset.contains(#""in_flight":1"#))
        try await channel.close()
        #expect(try await eventually { server.stats().inFlight == 0 })
        try await server.shutdown()
    }

    @Test func shutdownTwiceIsFine() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
        try await server.shutdown()
        try await server.shutdown()
    }
}
