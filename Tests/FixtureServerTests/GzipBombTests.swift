import Testing

@testable import FixtureServer

@Suite(.timeLimit(.minutes(2))) struct GzipBombTests {
    let pages = FixtureServer.defaultPagesDirectory

    /// Sizes around the prefix and across input chunks (the prefix must start the first only).
    @Test(arguments: [1, 2, 3, 4, 1000, GzipBomb.inputChunkSize, GzipBomb.inputChunkSize + 1, 600_000])
    func inflatesToSizeBytes(size: Int) throws {
        let body = try #require(GzipBomb.build(size: size))
        let inflated = try #require(gunzip(Array(body.readableBytesView), limit: size))
        #expect(inflated.count == size)
        let prefix = Array("<p>".utf8).prefix(size)
        #expect(inflated.prefix(prefix.count) == prefix)
        #expect(inflated.dropFirst(prefix.count).allSatisfy { $0 == 0 })
    }

    @Test func servesAndCachesASmallBomb() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        let responses = try await fetchResponses(server, ["/gzip-bomb/64K", "/gzip-bomb/64K"])
        let response = responses[0]
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/html")
        #expect(response.headers["content-encoding"] == "gzip")
        #expect(response.headers["content-length"] == String(response.body.count))
        let inflated = try #require(gunzip(response.body, limit: 65_536))
        #expect(inflated.count == 65_536)
        #expect(inflated.prefix(3) == Array("<p>".utf8)[...])
        #expect(responses[1].body == response.body)
        try await server.shutdown()
    }

    /// The gzip trailer ends with ISIZE, the inflated length mod 2^32 (little-endian).
    @Test func oneGibibyteBombIsSmallAndSaysItsSize() async throws {
        let server = try await FixtureServer.start(pagesDirectory: self.pages)
        let first = try await fetchResponse(server, "/gzip-bomb/1G")
        let again = try await fetchResponse(server, "/gzip-bomb/1G")  // from the cache
        #expect(first.status == 200)
        #expect(first.body.prefix(3) == [0x1F, 0x8B, 0x08])
        #expect(first.body.count < 1_200_000)
        let isize = first.body.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(isize == 1 << 30)
        #expect(again.body == first.body)
        try await server.shutdown()
    }
}
