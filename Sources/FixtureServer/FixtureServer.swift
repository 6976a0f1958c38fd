import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 server on loopback for tests, demos and benchmarks, in the spirit of
/// async-http-client's `HTTPBin`: port 0, a fixed route table, and counters of what it saw.
///
/// Routes (any method; a query string is allowed everywhere):
/// - `/page/NAME`, `/gzip/NAME`, `/chunked/NAME`: a file of the pages directory, as is,
///   gzip-encoded, or in 1 KiB chunks (`Transfer-Encoding: chunked`).
/// - `/status/CODE` (200–599; 3xx come with `Location: /page/index.html`), `/delay/MS`,
///   `/redirect/N` (a chain of N 302s), `/redirect-to?url=U`.
/// - `/bytes/N`: N bytes where byte `i` is the `i % 64`th of
///   `0…9a…zA…Z-\n`, streamed with backpressure.
/// - `/typed?type=T&bytes=N`: N bytes (default 256, up to 16 MiB) where byte `i` is `i % 256`,
///   with `Content-Type: T`.
/// - `/drip?bytes=N&ms=M`: one byte every M ms (defaults 10 and 100).
/// - `/close-early` (1000 bytes promised, 100 sent), `/reset` (TCP RST), `/hang` (no answer).
/// - `/flaky?fail=N&status=S&retry-after=R&id=X`: the first N (default 1, up to 1000) requests
///   for this exact URI (path and query, so `id` makes distinct counters) answer S (400–599,
///   default 503), with `Retry-After: R` if asked (`retry-after-date=R`: an HTTP-date R seconds
///   ahead); later ones answer 200 `ok after N failures`. ``resetStats()`` clears the counts.
/// - `/robots.txt`: as set by `start(robots:)` (``FixtureRobots``; 404 by default).
/// - `/gzip-bomb/SIZE` (1–4,000,000,000, or with a K, M or G suffix: `/gzip-bomb/1G`): a
///   `text/html` gzip body that inflates to SIZE bytes (`<p>` then zeros), built once per size.
/// - `/headers`: the request line and headers as text. Requests in absolute form (through a
///   proxy: `GET http://host/path`) are routed by their path, so the server can act as a proxy.
/// - Hostile routes: `/overlong?ms=M` (`Content-Length: 100`, then 256 KiB more, holding a
///   whole smuggled response; after M ms, default at once), `/endless` (a chunked body that
///   never ends), `/huge-header?bytes=N&lines=L` (L header lines, N bytes in all, default
///   1 MiB on one line; up to 16 MiB), `/bad-chunk` (a chunk size that is not hex),
///   `/trickle-headers?ms=M` (the head one byte every M ms, default 1000), `/redirect-loop`
///   (a 302 to itself), `/binary?bytes=N&seed=S` (N pseudo-random bytes as `text/html`,
///   default 64 KiB), `/bad-title` (a title with a NUL and bytes that are not UTF-8),
///   `/nested?depth=N` (N nested `<div>`s, default 100,000), `/links?count=N` (N distinct
///   links, default 1000). Large bodies are made as they are written.
/// - `/crawl/…` and `/robots.txt` with a `Host` of `a.localhost`, `shop.a.localhost` or
///   `b.localhost` (any port): the crawl test site, ``CrawlSite`` (its doc comment maps it);
///   under any other host `/crawl/` is 404 and `/robots.txt` is as above.
/// - `/gen/P/N.html` (N < P ≤ 100,000,000, any host): page N of a generated site of P pages
///   for crawl benchmarks, ``GeneratedSite``.
/// - `/echo`: the request as JSON, `{"method","uri","headers":{lower-case name: value, several
///   joined by ", "},"body"}`. `/set-cookie?NAME=VALUE…[&to=PATH]`: sets each cookie
///   (`Path=/`), with a 302 to PATH when `to` is given. `/redirect-code/CODE`: a CODE redirect
///   to `/echo`. `/etag/NAME`: `ETag: "NAME-vN"` (``touch(_:)`` moves N on) and a fixed
///   `Last-Modified`; a matching `If-None-Match`, or an `If-Modified-Since` not before it
///   (without `If-None-Match`), gets a 304. `/basic-auth/USER/PASSWORD` (percent-decoded): 200 with those
///   Basic credentials, else 401 with `WWW-Authenticate: Basic`. `/digest-auth/USER/PASSWORD`:
///   the same with Digest (MD5, qop auth, realm `fixture`, a fixed nonce).
/// - `/stats`, `/stats/reset`: ``FixtureStats`` as JSON (in flight in all and for each Host
///   header); these two are not counted (and not in ``requestLog()``).
/// - anything else: 404, or, for a server started with `answerAnyPath`, 200 `text/plain` with
///   `any path: URI` (for clients under test that must get a body at any path, such as one
///   trying to climb out of a directory).
public final class FixtureServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    /// Builds gzip bombs off the event loops (one thread: a bomb is a rare, long job).
    private let threadPool: NIOThreadPool
    private let state: ServerState
    private let host: String
    private let isShutDown = NIOLockedValueBox(false)  // protected by its own lock

    /// The port the server listens on (the one chosen by the system when started with port 0).
    public let port: Int

    private init(
        group: MultiThreadedEventLoopGroup,
        threadPool: NIOThreadPool,
        channel: Channel,
        state: ServerState,
        host: String,
        port: Int
    ) {
        self.group = group
        self.threadPool = threadPool
        self.channel = channel
        self.state = state
        self.host = host
        self.port = port
    }

    /// Starts listening on host:port (port 0 = ephemeral). pagesDirectory holds the files served
    /// by /page/NAME and /gzip/NAME and /chunked/NAME; robots is how /robots.txt answers (a
    /// `.status` code must be 200–599); answerAnyPath makes paths no route knows answer 200.
    public static func start(
        host: String = "127.0.0.1",
        port: Int = 0,
        pagesDirectory: String,
        robots: FixtureRobots = .missing,
        answerAnyPath: Bool = false
    ) async throws -> FixtureServer {
        if case .status(let code) = robots {
            precondition((200...599).contains(code), "robots status \(code) is not 200–599")
        }
        let started = NIODeadline.now()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let state = ServerState(
            stats: StatsCounter(),
            pages: PageStore(directory: pagesDirectory),
            flaky: FlakyCounters(),
            requestLog: RequestLog(start: started),
            robots: robots,
            gzipBombs: GzipBombCache(threadPool: threadPool),
            versions: PageVersions(),
            answerAnyPath: answerAnyPath
        )
        let bootstrap = ServerBootstrap(group: group)
            // Clients under test open 1,000+ connections at once; the default backlog would
            // make the kernel drop SYNs and turn a concurrency test into a retransmit test.
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                state.stats.connectionAccepted()
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(FixtureHTTPHandler(state: state))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            try? await threadPool.shutdownGracefully()
            try? await group.shutdownGracefully()
            throw error
        }
        guard let boundPort = channel.localAddress?.port else {
            try? await channel.close().get()
            try? await threadPool.shutdownGracefully()
            try? await group.shutdownGracefully()
            throw ChannelError.unknownLocalAddress
        }
        return FixtureServer(
            group: group, threadPool: threadPool, channel: channel, state: state, host: host, port: boundPort
        )
    }

    /// `http://HOST:PORT`, with an IPv6 host in brackets (`http://[::1]:PORT`).
    public var baseURL: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "http://\(host):\(self.port)"
    }

    /// The counters now.
    public func stats() -> FixtureStats {
        self.state.stats.snapshot()
    }

    /// Zeroes `requests`, `connections` and `maxInFlight` (which restarts from the requests
    /// still in flight), forgets the `/flaky` counts and empties ``requestLog()``, as
    /// `/stats/reset` does.
    public func resetStats() {
        self.state.resetStats()
    }

    /// The counted requests (not `/stats` nor `/stats/reset`) in the order their heads arrived,
    /// with the time of arrival: what a test checks a client's pacing against. Only the last
    /// 100,000 are kept; ``resetStats()`` empties it.
    public func requestLog() -> [LoggedRequest] {
        self.state.requestLog.entries()
    }

    /// Changes `/etag/NAME`: its ETag gets the next version, so a request with the old one
    /// gets the page again.
    public func touch(_ name: String) {
        self.state.versions.touch(name)
    }

    /// Stops listening, closes every connection and stops the server's threads. Calling it
    /// again does nothing.
    public func shutdown() async throws {
        let wasShutDown = self.isShutDown.withLockedValue { isShutDown in
            defer { isShutDown = true }
            return isShutDown
        }
        guard !wasShutDown else { return }
        do {
            try await self.channel.close().get()
        } catch ChannelError.alreadyClosed {
            // Closed from elsewhere: nothing left to stop here.
        }
        // A gzip bomb being built finishes first: its result is delivered on an event loop.
        try await self.threadPool.shutdownGracefully()
        // Shutting the group down closes the connections still open.
        try await self.group.shutdownGracefully()
    }
}
