/// What parfetch read in a page: the record's page fields.
public struct PageData: Sendable, Equatable {
    public var title: String?
    /// The meta description, or else og:description.
    public var description: String?
    public var lang: String?
    /// Absolute.
    public var canonical: String?
    /// Absolute http(s) links of `a[href]` and `area[href]`, without fragments, de-duplicated
    /// in page order.
    public var links: [String] = []
    /// The page had more links than the parser's limit (`--max-links`): `links` holds the
    /// first ones.
    public var linksTruncated = false
    /// One entry per extraction rule, in rule order.
    public var extract: [Extracted] = []

    public struct Extracted: Sendable, Equatable {
        public var name: String
        public var values: [String]
    }

    public init() {}
}
