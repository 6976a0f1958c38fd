import CLibPSL

#if canImport(Glibc)
import Glibc
#endif

/// The part of a list one run takes when the list is split across machines (`--shard i/N`):
/// the lines whose shard number is `index`, of `count`. A fetchable line's number is a fixed
/// hash of its host key (host and port: what the per-host limit counts) or of its
/// registrable domain, so each host, or site, is fetched by one machine alone and per-host
/// politeness holds across them; any other line's is the hash of its text, so across all
/// shards every line still gets exactly one record.
///
/// The hash is 64-bit FNV-1a over the UTF-8 bytes, taken modulo `count`: fixed and
/// documented, unlike Swift's `Hasher`, which is seeded per process, so that every machine
/// computes the same shards.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// What a fetchable line is sharded by.
    public enum Key: String, Sendable, CaseIterable {
        /// The host key: host name (or address) and port.
        case host
        /// The registrable domain (the Public Suffix List's, through libpsl), so that
        /// `shop.example.co.uk` and `www.example.co.uk` are one shard's; an address, or a name
        /// with no registrable part (`localhost`), is its own domain.
        case domain
    }

    public let index: Int
    public let count: Int
    public let key: Key

    /// nil unless `0 <= index < count`.
    public init?(index: Int, count: Int, key: Key = .host) {
        guard count > 0, (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
        self.key = key
    }

    /// Whether `item` is this shard's.
    public func contains(_ item: ListItem) -> Bool {
        number(of: item) == index
    }

    /// The shard `item` belongs to.
    public func number(of item: ListItem) -> Int {
        let name: String
        switch (item.url, key) {
        case (let url?, .host): name = url.hostKey
        case (let url?, .domain): name = Self.registrableDomain(ofHost: url.host)
        case (nil, _): name = item.text
        }
        return Int(Self.hash(name) % UInt64(count))
    }

    /// 64-bit FNV-1a of the UTF-8 bytes of `text`.
    public static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// `host`'s registrable domain (`shop.example.co.uk` → `example.co.uk`), or `host` itself
    /// when it is an address or has no registrable part.
    static func registrableDomain(ofHost host: String) -> String {
        // libcurl spells an IPv6 address in brackets; libpsl would read an IPv4 address as
        // a name under the suffix `1` (`127.0.0.1` → `0.1`).
        var address = in_addr()
        guard !host.hasPrefix("["), inet_pton(AF_INET, host, &address) != 1 else { return host }
        return host.withCString { name in
            // psl_builtin: the list compiled into libpsl, read-only and safe from any thread.
            psl_registrable_domain(psl_builtin(), name).map { String(cString: $0) }
        } ?? host
    }

    /// `i/N`, as `--shard` takes it.
    public var description: String { "\(index)/\(count)" }
}
