import Testing
@testable import ParFetch

/// Which lines a shard takes: a fixed hash, so every process agrees.
@Suite struct ShardTests {
    static func item(_ text: String) -> ListItem {
        ListItem(line: 1, text: text, target: Result { () throws(FetchError) in try CheckedURL(text) })
    }

    /// Fixed values: a change of hash would split a running job's list differently.
    @Test func theHashIsFNV1a64() {
        #expect(Shard.hash("") == 0xCBF2_9CE4_8422_2325)
        #expect(Shard.hash("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(Shard.hash("example.com:443") == Shard.hash("example.com:443"))
    }

    @Test func aHostsURLsAreOneShards() throws {
        let shard = try #require(Shard(index: 0, count: 7))
        let urls = ["https://example.com/a", "https://EXAMPLE.com/b?c", "https://example.com:443/d#e"]
        #expect(Set(urls.map { shard.number(of: Self.item($0)) }).count == 1)
        #expect(shard.number(of: Self.item("https://example.com/")) == Int(Shard.hash("example.com:443") % 7))
        // Another port is another host.
        #expect(shard.number(of: Self.item("http://example.com:8080/")) == Int(Shard.hash("example.com:8080") % 7))
    }

    @Test func byDomainSubdomainsShareAShard() throws {
        let shard = try #require(Shard(index: 0, count: 1_000_003, key: .domain))
        let number = shard.number(of: Self.item("http://shop.example.co.uk/"))
        #expect(shard.number(of: Self.item("https://www.example.co.uk:8443/x")) == number)
        #expect(number == Int(Shard.hash("example.co.uk") % 1_000_003))
        #expect(shard.number(of: Self.item("http://example2.co.uk/")) != number)
        #expect(shard.number(of: Self.item("http://shop.a.localhost/")) == shard.number(of: Self.item("http://a.localhost/")))
        // Addresses and bare names are their own domains.
        #expect(shard.number(of: Self.item("http://127.0.0.1:9/")) == Int(Shard.hash("127.0.0.1") % 1_000_003))
        #expect(shard.number(of: Self.item("http://[::1]:9/")) == Int(Shard.hash("[::1]") % 1_000_003))
        #expect(shard.number(of: Self.item("http://localhost/")) == Int(Shard.hash("localhost") % 1_000_003))
    }

    @Test func aLineThatIsNoURLIsShardedByItsText() throws {
        let shard = try #require(Shard(index: 0, count: 5))
        #expect(shard.number(of: Self.item("not a url")) == Int(Shard.hash("not a url") % 5))
    }

    @Test func everyLineIsInExactlyOneShard() throws {
        let lines = (0..<200).map { "http://h\($0 % 37).test/\($0)" } + ["ftp://x/", "bad line", "http://"]
        for count in [1, 2, 3, 7] {
            let shards = try (0..<count).map { try #require(Shard(index: $0, count: count)) }
            for line in lines {
                #expect(shards.filter { $0.contains(Self.item(line)) }.count == 1)
            }
        }
    }

    @Test func outOfRangeShardsDoNotExist() {
        #expect(Shard(index: 2, count: 2) == nil)
        #expect(Shard(index: -1, count: 2) == nil)
        #expect(Shard(index: 0, count: 0) == nil)
    }
}
