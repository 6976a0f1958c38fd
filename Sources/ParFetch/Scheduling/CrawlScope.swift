import Synchronization

/// Which URLs a crawl follows: those in the scope of one of its seeds (`Kind`), and then only
/// those that match an include pattern (when there are any) and no exclude pattern. Seeds
/// themselves are always fetched; the scope applies to the links found and to every redirect.
///
/// Seeds are added as they are read while pages are already being fetched, from the intake
/// thread, and the scope is asked from the parse workers and the loop (redirects): hence the
/// lock. Its sets grow with the seeds' hosts (or prefixes), not with the URLs.
public final class CrawlScope: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The seed's host and port.
        case host
        /// The seed host's registrable domain (the Public Suffix List's, through libpsl):
        /// `shop.example.co.uk` is in `www.example.co.uk`'s crawl, `example2.co.uk` is not.
        case domain
        /// Below the directory of the seed's path, on its host: `https://x/docs/v1/` for the
        /// seed `https://x/docs/v1/index.html`.
        case prefix
        /// Any http or https URL.
        case any
    }

    /// Why a URL is not followed.
    public enum Exclusion: Sendable, Equatable {
        case outOfScope
        /// No include pattern matches it, or an exclude pattern does.
        case excluded
    }

    public let kind: Kind
    public let include: [URLPattern]
    public let exclude: [URLPattern]
    /// Host keys, registrable domains or prefixes of the seeds, by kind.
    private let seeds = Mutex<Set<String>>([])

    public init(kind: Kind = .host, include: [URLPattern] = [], exclude: [URLPattern] = []) {
        self.kind = kind
        self.include = include
        self.exclude = exclude
    }

    /// `seed`'s host, domain or prefix is in scope from now on.
    public func add(seed: CheckedURL) {
        guard kind != .any else { return }
        let key = key(of: seed)
        seeds.withLock { _ = $0.insert(String(key)) }
    }

    /// Whether the crawl follows `url`; nil when it does.
    public func exclusion(of url: CheckedURL) -> Exclusion? {
        if !contains(url) { return .outOfScope }
        if !include.isEmpty && !include.contains(where: { $0.matches(url.absolute) }) { return .excluded }
        if exclude.contains(where: { $0.matches(url.absolute) }) { return .excluded }
        return nil
    }

    /// Whether `url` is within the scope kind of a seed (patterns aside).
    public func contains(_ url: CheckedURL) -> Bool {
        switch kind {
        case .any:
            return true
        case .host, .domain:
            let key = String(key(of: url))
            return seeds.withLock { $0.contains(key) }
        case .prefix:
            let prefixes = seeds.withLock { $0 }
            // The URL's own directories, longest first.
            let utf8 = url.absolute.utf8
            let (pathStart, pathEnd) = Self.path(of: url)
            var end = pathEnd
            while let slash = utf8[pathStart..<end].lastIndex(of: UInt8(ascii: "/")) {
                if prefixes.contains(String(Substring(utf8[...slash]))) { return true }
                end = slash
            }
            return false
        }
    }

    /// What a seed adds and a URL is looked up by.
    private func key(of url: CheckedURL) -> Substring {
        switch kind {
        case .host, .any:
            return Substring(url.hostKey)
        case .domain:
            return Substring(Shard.registrableDomain(ofHost: url.host))
        case .prefix:
            // The path's directory: up to its last slash.
            let utf8 = url.absolute.utf8
            let (pathStart, pathEnd) = Self.path(of: url)
            let slash = utf8[pathStart..<pathEnd].lastIndex(of: UInt8(ascii: "/")) ?? pathStart
            return Substring(utf8[...slash])
        }
    }

    /// Where `url`'s path starts and ends (before the query) in its spelling.
    private static func path(of url: CheckedURL) -> (String.UTF8View.Index, String.UTF8View.Index) {
        let path = url.pathAndQuery.utf8
        return (path.startIndex, path.firstIndex(of: UInt8(ascii: "?")) ?? path.endIndex)
    }
}
