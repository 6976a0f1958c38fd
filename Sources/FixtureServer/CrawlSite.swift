/// The crawl test site: what the fixture server answers under `/crawl/` (and `/robots.txt`)
/// for three host names that all reach it, as a pure model that tests use as ground truth.
///
/// One server on 127.0.0.1 acts as three hosts, told apart by the request's `Host` header
/// (libcurl resolves every `*.localhost` name to loopback itself):
/// - ``hostA`` `a.localhost`: the main site, with `/robots.txt` and the sitemaps;
/// - ``hostShop`` `shop.a.localhost`: another host of the same registrable domain (libpsl
///   0.21.2 has no rule for `localhost`, so the default rule `*` makes `localhost` the public
///   suffix and `a.localhost` the registrable domain of both `a.localhost` and
///   `shop.a.localhost`; `b.localhost` is a domain of its own); no robots.txt (404);
/// - ``hostB`` `b.localhost`: off the domain; a robots.txt that allows everything.
///
/// Any other host name gets 404 under `/crawl/`, and the server's own `/robots.txt`.
///
/// Pages of `a.localhost` (the seed is ``seed(port:)``, `/crawl/`):
/// - `/crawl/`: links `tree/0.html`, `depth/slow.html`, `depth/fast-1.html`, `base/page.html`.
/// - `/crawl/tree/N.html`, N in 0..<``treeSize``: a binary tree, children 2N+1 and 2N+2,
///   written `C.html`, `./C.html`, `../tree/C.html`, with fragments, repeated, plus the parent
///   (`/crawl/tree/P.html`), the page itself (`#top`) and, every fourth page, the root as an
///   absolute URL. Page 0 also holds an image map (`<area href>`) and a stylesheet
///   `<link href="/crawl/files/style.css">` (not a link to follow: only `a` and `area` are).
///   Page 1 links `/crawl/files/notes.txt` (`text/plain` whose text looks like a link to
///   `/crawl/orphan/0.html`), `/crawl/files/pixel.png` (`image/png`) and `/crawl/missing.html`
///   (404); page 2 links `mailto:`, `javascript:`, `tel:`, `data:` and `ftp://` (never to be
///   followed: not in ``Page/links``); page 3 links `http://shop.a.localhost:PORT/crawl/shop/`
///   and, scheme-relative, `//b.localhost:PORT/crawl/b/index.html`; page 4 links
///   `/crawl/redirect/stay` (302 to `/crawl/redirect/landing.html`, same host) and
///   `/crawl/redirect/away` (302 to `http://b.localhost:PORT/crawl/b/landing.html`); page 5
///   links `/crawl/private/secret.html` (disallowed by robots.txt); page 6 links the calendar
///   and `/crawl/docs/v1/index.html`.
/// - `/crawl/base/page.html`: `<base href="/crawl/tree/">`, so its `9.html`, `./10.html` and
///   `../docs/v2/index.html` are `/crawl/tree/9.html`, `/crawl/tree/10.html` and
///   `/crawl/docs/v2/index.html` (not `/crawl/base/…`, which would be 404).
/// - The exact-depth pages (``slowDelayMilliseconds``): `/crawl/` links `depth/slow.html`
///   (answered after 400 ms) and `depth/fast-1.html`; `slow.html` links `x.html`;
///   `fast-1.html` → `fast-2.html` → `fast-3.html` → `x.html`; `x.html` links `y.html`, which
///   links nothing new. Shortest paths from `/crawl/`: slow 1, fast-1 1, fast-2 2, x **2**
///   (through the slow page), fast-3 3, y **3**. So `depth 2` fetches x but not y; `depth 3`
///   fetches y. A crawler that takes depths in arrival order sees x first from fast-3 at
///   depth 4 (the slow page is still on its way): with depth 3 it then never fetches x nor y,
///   with depth 4 it never fetches y.
/// - `/crawl/docs/v1/{index,guide,api/index}.html`, `/crawl/docs/v1-old/index.html` (a
///   sibling that a string-prefix scope would wrongly take for `/crawl/docs/v1/…`),
///   `/crawl/docs/v2/{index,guide,api/index}.html`, with links between them and to `/crawl/`:
///   from the seed `/crawl/docs/v1/index.html`, the prefix `/crawl/docs/v1/` holds 3 pages.
/// - `/crawl/calendar/YYYY-MM-DD.html` (years 1000–9999): links the next day, forever (a trap).
/// - `/crawl/redirect/landing.html`, `/crawl/private/secret.html`: link `/crawl/tree/0.html`.
/// - `/crawl/orphan/N.html`, N in 0..<``orphanCount``: linked from nowhere, listed only by
///   the sitemaps; each links `/crawl/tree/0.html`.
/// - `/robots.txt`: `Disallow: /crawl/private/` for every agent, and `Sitemap:` lines for
///   `/crawl/sitemap.xml` and `/crawl/sitemap-encoded.xml`.
/// - `/crawl/sitemap.xml`: a sitemap index of `/crawl/sitemap-pages.xml` (orphans 0 and 1,
///   trees 0 and 62) and `/crawl/sitemap-more.xml.gz` (orphans 2 and 3 and
///   `/crawl/docs/v2/guide.html`; a gzip file served as `application/gzip`, no
///   `Content-Encoding`); `/crawl/sitemap-encoded.xml` (orphans 4 and 5) is `application/xml`
///   sent with `Content-Encoding: gzip`.
///
/// `shop.a.localhost`: `/crawl/shop/index.html` → `item/1.html`, `item/2.html` and
/// `http://a.localhost:PORT/crawl/`; item 1 → item 2 and the index; item 2 → the index and
/// `http://b.localhost:PORT/crawl/b/index.html`.
///
/// `b.localhost`: `/crawl/b/index.html` → `page-1.html`, `page-2.html` and
/// `http://a.localhost:PORT/crawl/tree/0.html`; page 1 → page 2 → the index;
/// `/crawl/b/landing.html` (where `/crawl/redirect/away` leads) → the index.
///
/// ``breadthFirst(from:depth:follows:)`` runs the reference crawl over this model.
public enum CrawlSite {
    public static let hostA = "a.localhost"
    public static let hostShop = "shop.a.localhost"
    public static let hostB = "b.localhost"
    /// The three host names the site answers for.
    public static let hosts: Set<String> = [hostA, hostShop, hostB]
    /// Pages of the binary tree: `/crawl/tree/0.html` to `/crawl/tree/62.html`.
    public static let treeSize = 63
    /// Pages only the sitemaps list: `/crawl/orphan/0.html` to `/crawl/orphan/5.html`.
    public static let orphanCount = 6
    /// How long `/crawl/depth/slow.html` takes to answer.
    public static let slowDelayMilliseconds = 400
    /// What `a.localhost`'s robots.txt disallows.
    public static let disallowedPrefix = "/crawl/private/"

    /// `http://a.localhost:PORT/crawl/`, the root of the site.
    public static func seed(port: Int) -> String {
        "http://\(hostA):\(port)/crawl/"
    }

    /// One response of the site.
    public struct Page: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case html, redirect, robots, sitemapIndex, sitemap, text, image, stylesheet, notFound
        }

        public var kind: Kind
        public var status: Int
        public var contentType: String
        /// `gzip` for a body sent with `Content-Encoding: gzip` (``body`` is then compressed).
        public var contentEncoding: String?
        /// How long the server waits before answering.
        public var delayMilliseconds: Int
        /// A redirect's `Location`, absolute (it is sent so).
        public var location: String?
        /// The `a[href]` and `area[href]` targets of an HTML page: absolute (resolved against
        /// its `<base href>` or its URL), without fragments, http(s) only, de-duplicated in page
        /// order (a `#top` names the page itself). Empty for anything but ``Kind/html``.
        public var links: [String]
        /// The `<loc>`s of a sitemap or sitemap index, the `Sitemap:` lines of a robots.txt.
        public var sitemapLocations: [String]
        /// The body as sent.
        public var body: [UInt8]
    }

    /// The response for `path` (no query) on `host` (lowercase, no port), whose absolute
    /// links use `port`; nil where the site has nothing (the server answers 404).
    public static func page(host: String, path: String, port: Int) -> Page? {
        let site = CrawlSitePages(host: host, port: port)
        switch host {
        case hostA: return site.pageOnA(path)
        case hostShop: return site.pageOnShop(path)
        case hostB: return site.pageOnB(path)
        default: return nil
        }
    }

    /// The page at an absolute `http://HOST:PORT/PATH` URL (no query, no fragment); nil for
    /// anything else or a path the site does not know.
    public static func page(url: String) -> Page? {
        guard let (host, port, path) = Self.parts(of: url) else { return nil }
        return page(host: host, path: path, port: port)
    }

    /// Host, port and path of `http://HOST:PORT/PATH`.
    static func parts(of url: String) -> (host: String, port: Int, path: String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = HostHeader(String(rest[..<slash]))
        guard let port = authority.port, !rest[slash...].contains("?"), !rest[slash...].contains("#") else {
            return nil
        }
        return (authority.name, port, slash == rest.endIndex ? "/" : String(rest[slash...]))
    }

    /// The reference crawl: breadth-first from `seeds` (depth 0) over ``Page/links``, each URL
    /// at its shortest distance, up to `depth`, expanding only URLs that `follows` accepts
    /// (the scope, robots rules: the caller's policy). A redirect is followed within its
    /// request, as libcurl does: the links of the page at its ``Page/location``, if `follows`
    /// accepts it, are those of the redirect's URL (the location itself is not entered: it
    /// was not requested on its own). Returns each URL requested (seeds included) with its
    /// depth.
    public static func breadthFirst(
        from seeds: [String], depth limit: Int, follows: (String) -> Bool = { _ in true }
    ) -> [String: Int] {
        var depths: [String: Int] = [:]
        var level = seeds.filter { depths.updateValue(0, forKey: $0) == nil }
        var depth = 0
        while !level.isEmpty && depth < limit {
            var next: [String] = []
            for url in level {
                var page = Self.page(url: url)
                if let location = page?.location {
                    page = follows(location) ? Self.page(url: location) : nil
                }
                for link in page?.links ?? [] where depths[link] == nil && follows(link) {
                    depths[link] = depth + 1
                    next.append(link)
                }
            }
            level = next
            depth += 1
        }
        return depths
    }
}
