/// Where a crawl's URL stands: how many links from the nearest seed (0 for a seed), and the
/// page its link was first found on at that depth.
public struct CrawlPlace: Sendable, Hashable {
    public var depth: Int
    /// The final URL of the page the link was found on; nil for a seed.
    public var parent: String?

    public init(depth: Int, parent: String? = nil) {
        self.depth = depth
        self.parent = parent
    }
}
