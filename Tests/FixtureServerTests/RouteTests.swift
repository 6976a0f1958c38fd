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
        ("/drip", .drip(bytes: 10, milliseconds: 100)),
        ("/drip?bytes=3&ms=5", .drip(bytes: 3, milliseconds: 5)),
        ("/drip?bytes=x", .notFound),
        ("/close-early", .closeEarly),
        ("/reset", .reset),
        ("/hang", .hang),
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

    @Test func gzipHasGzipHeader() throws {
        let compressed = try #require(Gzip.compress(Array(repeating: UInt8(ascii: "a"), count: 10_000)))
        #expect(compressed.prefix(2) == [0x1F, 0x8B])
        #expect(compressed.count < 200)
        #expect(Gzip.compress([]) != nil)
    }
}
