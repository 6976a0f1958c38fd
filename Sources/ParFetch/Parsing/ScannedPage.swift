/// What the page scanner found in one page. Strings are as in the page after character
/// references are decoded; URLs are not resolved (the caller resolves them against `base`
/// or the final URL).
///
/// This is the low-level scanner's result, public only so that the `parse-bench` benchmark can
/// reach it; applications get these fields, resolved, in `PageData`.
public struct ScannedPage: Equatable, Sendable {
    /// The first `<title>` element's text, white space collapsed; nil without a `<title>`.
    public var title: String?
    /// The `content` of the first `<meta name="description">` that has one (the name in any
    /// case), white space collapsed.
    public var description: String?
    /// The `content` of the first `<meta property="og:description">` that has one.
    public var ogDescription: String?
    /// `<html lang>`, trimmed.
    public var lang: String?
    /// The `href` of the first `<link>` whose `rel` has the token `canonical`, trimmed.
    public var canonical: String?
    /// The `href` of the first `<base>` that has one, trimmed.
    public var base: String?
    /// The `href` of every `<a>` and `<area>`, in page order, trimmed; duplicates kept.
    public var links: [String]

    public init(
        title: String? = nil, description: String? = nil, ogDescription: String? = nil, lang: String? = nil,
        canonical: String? = nil, base: String? = nil, links: [String] = []
    ) {
        self.title = title
        self.description = description
        self.ogDescription = ogDescription
        self.lang = lang
        self.canonical = canonical
        self.base = base
        self.links = links
    }
}
