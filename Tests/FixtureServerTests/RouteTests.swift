import NIOCore
import Testing

@testable import FixtureServer

@Suite struct RouteTests {
    @Test(arguments: [
        ("/page/index.html", Route.page(name: "index.html")),
        ("/page/index.html?x=1", .page(name: "index.html")),
        ("/page/..", .notFound),
        ("/page/a..b", .notFound),
        ("/page/", .notFound),
        ("/page/a/b", .notFound),
        ("/gzip/article.html", .gzip(name: "article.html")),
        ("/chunked/article.html", .chunked(name: "article.html")),
        ("/status/404", .status(code: 404)),
        ("/status/99", .notFound),
        ("/status/600", .notFound),
        ("/status/+200", .notFound),
        ("/delay/250", .delay(milliseconds: 250)),
        ("/delay/-1", .notFound),
        ("/delay/99999999999", .notFound),
        ("/redirect/0", .redirect(remaining: 0)),
        ("/redirect/3", .redirect(remaining: 3)),
        ("/redirect-to?url=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1", .redirectTo(location: "https://example.com/a?b=1")),
        ("/redirect-to?url=/x%0D%0ASet-Cookie:%20a", .notFound),
        ("/redirect-to", .notFound),
        ("/bytes/1000000000", .bytes(count: 1_000_000_000)),
        ("/typed?type=image%2Fpng", .typed(contentType: "image/png", count: 256)),
        ("/typed?type=text/html;%20charset=utf-8&bytes=3", .typed(contentType: "text/html; charset=utf-8", count: 3)),
        ("/typed?type=a%0D%0AX:%20y", .notFound),
        ("/typed?bytes=3", .notFound),
        ("/typed?type=a/b&bytes=16777217", .notFound),
        ("/drip", .drip(bytes: 10, milliseconds: 100)),
        ("/drip?bytes=3&ms=5", .drip(bytes: 3, milliseconds: 5)),
        ("/drip?bytes=x", .notFound),
        ("/close-early", .closeEarly),
        ("/reset", .reset),
        ("/hang", .hang),
        ("/flaky", .flaky(failures: 1, status: 503, retryAfter: nil)),
        ("/flaky?fail=2&status=429&retry-after=30&id=x", .flaky(failures: 2, status: 429, retryAfter: .seconds(30))),
        ("/flaky?id=x&retry-after-date=60", .flaky(failures: 1, status: 503, retryAfter: .date(secondsAhead: 60))),
        ("/flaky?fail=0&retry-after=0", .flaky(failures: 0, status: 503, retryAfter: .seconds(0))),
        ("/flaky?fail=1000&status=400", .flaky(failures: 1000, status: 400, retryAfter: nil)),
        ("/flaky?status=599", .flaky(failures: 1, status: 599, retryAfter: nil)),
        ("/flaky?fail=1001", .notFound),
        ("/flaky?fail=-1", .notFound),
        ("/flaky?fail=", .notFound),
        ("/flaky?fail=two", .notFound),
        ("/flaky?status=200", .notFound),
        ("/flaky?status=399", .notFound),
        ("/flaky?status=600", .notFound),
        ("/flaky?retry-after=1.5", .notFound),
        ("/flaky?retry-after=+5", .notFound),
        ("/flaky?retry-after=", .notFound),
        ("/flaky?retry-after=1000000001", .notFound),
        ("/flaky?retry-after-date=soon", .notFound),
        ("/flaky?retry-after=5&retry-after-date=5", .notFound),
        ("/flaky/x", .notFound),
        ("/robots.txt", .robots),
        ("/robots.txt?x=1", .robots),
        ("/robots.txt/", .notFound),
        ("/robots", .notFound),
        ("/gzip-bomb/1", .gzipBomb(size: 1)),
        ("/gzip-bomb/64K", .gzipBomb(size: 65_536)),
        ("/gzip-bomb/3M", .gzipBomb(size: 3_145_728)),
        ("/gzip-bomb/1G", .gzipBomb(size: 1_073_741_824)),
        ("/gzip-bomb/3G", .gzipBomb(size: 3_221_225_472)),
        ("/gzip-bomb/4000000000", .gzipBomb(size: 4_000_000_000)),
        ("/gzip-bomb/4000000001", .notFound),
        ("/gzip-bomb/4G", .notFound),
        ("/gzip-bomb/99999999999999999999G", .notFound),
        ("/gzip-bomb/0", .notFound),
        ("/gzip-bomb/0K", .notFound),
        ("/gzip-bomb/K", .notFound),
        ("/gzip-bomb/1k", .notFound),
        ("/gzip-bomb/1KB", .notFound),
        ("/gzip-bomb/-1", .notFound),
        ("/gzip-bomb/+1", .notFound),
        ("/gzip-bomb/", .notFound),
        ("/gzip-bomb", .notFound),
        ("/gzip-bomb/1/2", .notFound),
        ("/overlong", .overlong(milliseconds: 0)),
        ("/overlong?ms=50", .overlong(milliseconds: 50)),
        ("/overlong?ms=x", .notFound),
        ("/overlong/1", .notFound),
        ("/endless", .endless),
        ("/endless/", .notFound),
        ("/huge-header", .hugeHeader(bytes: 1_048_576, lines: 1)),
        ("/huge-header?bytes=1000000&lines=1000", .hugeHeader(bytes: 1_000_000, lines: 1000)),
        ("/huge-header?bytes=16777216", .hugeHeader(bytes: 16_777_216, lines: 1)),
        ("/huge-header?bytes=16777217", .notFound),
        ("/huge-header?bytes=0", .notFound),
        ("/huge-header?bytes=10&lines=11", .notFound),
        ("/huge-header?lines=0", .notFound),
        ("/bad-chunk", .badChunk),
        ("/trickle-headers", .trickleHeaders(milliseconds: 1000)),
        ("/trickle-headers?ms=250", .trickleHeaders(milliseconds: 250)),
        ("/trickle-headers?ms=0", .notFound),
        ("/trickle-headers?ms=3600001", .notFound),
        ("/redirect-loop", .redirectLoop),
        ("/redirect-loop?x=1", .redirectLoop),
        ("/binary", .binary(count: 65_536, seed: 1)),
        ("/binary?bytes=10&seed=7", .binary(count: 10, seed: 7)),
        ("/binary?bytes=-1", .notFound),
        ("/binary?seed=x", .notFound),
        ("/bad-title", .badTitle),
        ("/nested", .nested(depth: 100_000)),
        ("/nested?depth=0", .nested(depth: 0)),
        ("/nested?depth=10000001", .notFound),
        ("/links", .links(count: 1000)),
        ("/links?count=1000000", .links(count: 1_000_000)),
        ("/links?count=1e6", .notFound),
        ("/stats", .stats),
        ("/stats/reset", .statsReset),
        ("/stats/", .notFound),
        ("/", .notFound),
        ("*", .notFound),
    ])
    func parses(uri: String, route: Route) {
        #expect(Route(uri: uri) == route)
    }

    @Test func statsRoutesAreNotCounted() {
        #expect(!Route.stats.isCounted)
        #expect(!Route.statsReset.isCounted)
        #expect(Route.hang.isCounted)
        #expect(Route.robots.isCounted)
        #expect(Route.gzipBomb(size: 1).isCounted)
        #expect(Route.flaky(failures: 1, status: 503, retryAfter: nil).isCounted)
    }

    @Test func percentDecoding() {
        #expect(QueryString.percentDecode("a%20b+c") == "a b+c")
        #expect(QueryString.percentDecode("%zz") == nil)
        #expect(QueryString.percentDecode("%e2%82%ac") == "€")
        #expect(QueryString.parameters("a=1&a=2&b&c=%41") == ["a": "1", "b": "", "c": "A"])
    }

    @Test func bytePatternRepeats() {
        let chunk = BytePattern.chunk
        #expect(chunk.readableBytes == BytePattern.chunkSize)
        let bytes = Array(chunk.readableBytesView)
        #expect(bytes.enumerated().allSatisfy { $0.element == BytePattern.alphabet[$0.offset % 64] })
    }

    @Test func generatedBodiesAreWholeAndRepeatable() {
        func bytes(_ body: GeneratedBody, budget: Int) -> [UInt8] {
            var body = body
            var buffer = ByteBuffer()
            for _ in 0..<1_000_000 where body.append(to: &buffer, budget: budget) {}
            return Array(buffer.readableBytesView)
        }
        let links = String(decoding: bytes(HostilePages.links(count: 3), budget: 7), as: UTF8.self)
        #expect(links.components(separatedBy: "<a href=").count == 4)
        #expect(links.contains("<a href=\"/link/2\">2</a>") && links.hasSuffix("</html>\n"))
        let nested = String(decoding: bytes(HostilePages.nested(depth: 1000), budget: 100), as: UTF8.self)
        #expect(nested.components(separatedBy: "<div>").count == 1001)
        #expect(nested.components(separatedBy: "</div>").count == 1001)
        // The same bytes whatever the write sizes; another seed, other bytes.
        let random = bytes(HostilePages.binary(count: 10_000, seed: 5), budget: 333)
        #expect(random.count == 10_000)
        #expect(random == bytes(HostilePages.binary(count: 10_000, seed: 5), budget: 4096))
        #expect(random != bytes(HostilePages.binary(count: 10_000, seed: 6), budget: 4096))
        #expect(random.contains(0) && Set(random).count == 256)
    }

    @Test func hugeHeaderHasTheAskedSize() {
        for (size, lines) in [(1 << 20, 1), (1_000_000, 1000), (50, 3)] {
            let head = HostilePages.hugeHeader(bytes: size, lines: lines)
            let text = String(decoding: head.readableBytesView, as: UTF8.self)
            let extra = text.split(separator: "\r\n").filter { $0.hasPrefix("X-Huge-") }
            #expect(extra.count == lines)
            #expect(extra.reduce(0) { $0 + $1.utf8.count + 2 } == size)
        }
    }

    @Test func gzipHasGzipHeader() throws {
        let compressed = try #require(Gzip.compress(Array(repeating: UInt8(ascii: "a"), count: 10_000)))
        #expect(compressed.prefix(2) == [0x1F, 0x8B])
        #expect(compressed.count < 200)
        #expect(Gzip.compress([]) != nil)
    }
}
