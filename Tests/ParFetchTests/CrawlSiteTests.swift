import Foundation
import Testing

@testable import FixtureServer
@testable import ParFetch

/// The `/crawl/` site's model (``CrawlSite``) against its own HTML and against the running
/// server, so crawl tests can take the model as ground truth; and the `/gen/` site's closed form.
@Suite(.timeLimit(.minutes(1))) struct CrawlSiteTests {
    static let port = 8123
    static let a = "http://a.localhost:\(port)"
    static let shop = "http://shop.a.localhost:\(port)"
    static let b = "http://b.localhost:\(port)"
    /// Every page any link, redirect or sitemap reaches (the calendar to 40 days).
    static let everything: [String: Int] = {
        let sitemaps = CrawlSite.page(url: a + "/robots.txt")!.sitemapLocations
        let listed = sitemaps.flatMap { CrawlSite.page(url: $0)!.sitemapLocations }.flatMap {
            [$0] + (CrawlSite.page(url: $0)?.sitemapLocations ?? [])
        }
        return CrawlSite.breadthFirst(
            from: [CrawlSite.seed(port: port), shop + "/crawl/shop/index.html", b + "/crawl/b/index.html",
                   a + "/crawl/redirect/landing.html", b + "/crawl/b/landing.html"] + listed,
            depth: 40)
    }()

    static func host(_ url: String) -> String {
        URL(string: url)?.host ?? ""
    }

    @Test func everyLinkLeadsToAPageTheModelKnows() throws {
        #expect(Self.everything.count > 130)
        for url in Self.everything.keys {
            let page = try #require(CrawlSite.page(url: url), "\(url)")
            #expect(page.status != 404 || url == Self.a + "/crawl/missing.html", "\(url)")
            #expect(CrawlSite.hosts.contains(Self.host(url)), "\(url)")
            for link in page.links {
                #expect(link.hasPrefix("http://") && !link.contains("#"), "\(url) → \(link)")
            }
            if let location = page.location {
                #expect(CrawlSite.page(url: location)?.status == 200, "\(url) → \(location)")
            }
        }
        #expect(CrawlSite.page(url: Self.a + "/crawl/nowhere.html") == nil)
        #expect(CrawlSite.page(url: Self.a + "/crawl/tree/63.html") == nil)
        #expect(CrawlSite.page(url: Self.a + "/crawl/tree/07.html") == nil)
        #expect(CrawlSite.page(host: "127.0.0.1", path: "/crawl/", port: Self.port) == nil)
        #expect(CrawlSite.page(host: CrawlSite.hostShop, path: "/robots.txt", port: Self.port) == nil)
    }

    /// The links in the markup, resolved by Foundation against `<base href>` or the page's URL,
    /// are the model's list.
    @Test func theHTMLHoldsTheModelsLinks() throws {
        let pages = Self.everything.keys.filter { CrawlSite.page(url: $0)?.kind == .html }
        #expect(pages.count > 100)
        for url in pages {
            let page = try #require(CrawlSite.page(url: url))
            let html = String(decoding: page.body, as: UTF8.self)
            let pageURL = try #require(URL(string: url))
            let base = Self.hrefs(in: html, tag: "base").first.flatMap { URL(string: $0, relativeTo: pageURL) } ?? pageURL
            var seen: Set<String> = []
            let resolved = Self.hrefs(in: html, tag: "a|area").compactMap { href -> String? in
                guard let absolute = URL(string: href, relativeTo: base)?.absoluteURL,
                      ["http", "https"].contains(absolute.scheme ?? "") else { return nil }
                return String(absolute.absoluteString.prefix { $0 != "#" })
            }.filter { seen.insert($0).inserted }
            #expect(resolved == page.links, "\(url)")
        }
    }

    /// `href` values of the `tags` (an alternation) in `html`, which the model writes quoted.
    static func hrefs(in html: String, tag: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "<(?:\(tag))\\s[^>]*href=\"([^\"]*)\"", options: [])
        let range = NSRange(html.startIndex..., in: html)
        return pattern.matches(in: html, range: range).map { String(html[Range($0.range(at: 1), in: html)!]) }
    }

    @Test func theSlowPathIsTheShortOne() {
        let onA = { (url: String) in Self.host(url) == CrawlSite.hostA }
        let depth = { (path: String) in Self.a + "/crawl/depth/" + path }
        let two = CrawlSite.breadthFirst(from: [CrawlSite.seed(port: Self.port)], depth: 2, follows: onA)
        #expect(two[depth("slow.html")] == 1 && two[depth("fast-1.html")] == 1 && two[depth("fast-2.html")] == 2)
        #expect(two[depth("x.html")] == 2)
        #expect(two[depth("y.html")] == nil && two[depth("fast-3.html")] == nil)
        let three = CrawlSite.breadthFirst(from: [CrawlSite.seed(port: Self.port)], depth: 3, follows: onA)
        #expect(three[depth("x.html")] == 2 && three[depth("y.html")] == 3 && three[depth("fast-3.html")] == 3)
        #expect(CrawlSite.page(url: depth("slow.html"))?.delayMilliseconds == CrawlSite.slowDelayMilliseconds)
        #expect(CrawlSite.page(url: depth("fast-3.html"))?.links == [depth("x.html")])
        #expect(Self.everything.keys.filter { CrawlSite.page(url: $0)?.links.contains(depth("x.html")) == true }.sorted()
            == [depth("fast-3.html"), depth("slow.html")])
    }

    @Test func scopes() {
        let seed = CrawlSite.seed(port: Self.port)
        // libpsl: no rule for localhost, so `*` makes it the suffix and a.localhost the domain.
        #expect(Shard.registrableDomain(ofHost: CrawlSite.hostShop) == CrawlSite.hostA)
        #expect(Shard.registrableDomain(ofHost: CrawlSite.hostA) == CrawlSite.hostA)
        #expect(Shard.registrableDomain(ofHost: CrawlSite.hostB) == CrawlSite.hostB)
        let domain = CrawlSite.breadthFirst(from: [seed], depth: 12) {
            Shard.registrableDomain(ofHost: Self.host($0)) == CrawlSite.hostA
        }
        #expect(Set(domain.keys.map(Self.host)) == [CrawlSite.hostA, CrawlSite.hostShop])
        #expect(domain[Self.shop + "/crawl/shop/item/2.html"] == 5)  // root, tree 0, 1, 3, shop, item
        let any = CrawlSite.breadthFirst(from: [seed], depth: 12)
        #expect(Set(any.keys.map(Self.host)) == CrawlSite.hosts)
        // The redirect away is followed within its request: landing's links are the redirect's.
        #expect(any[Self.b + "/crawl/b/landing.html"] == nil)
        #expect(any[Self.a + "/crawl/redirect/away"] == 4)
        let docs = Self.a + "/crawl/docs/v1/"
        let prefix = CrawlSite.breadthFirst(from: [docs + "index.html"], depth: 10) { $0.hasPrefix(docs) }
        #expect(Set(prefix.keys) == [docs + "index.html", docs + "guide.html", docs + "api/index.html"])
        #expect(CrawlSite.page(url: docs + "index.html")?.links.contains(Self.a + "/crawl/docs/v1-old/index.html") == true)
    }

    @Test func robotsAndSitemapsListTheOrphans() throws {
        let robots = try #require(CrawlSite.page(url: Self.a + "/robots.txt"))
        let text = String(decoding: robots.body, as: UTF8.self)
        #expect(text.contains("Disallow: \(CrawlSite.disallowedPrefix)\n"))
        #expect(robots.sitemapLocations == [Self.a + "/crawl/sitemap.xml", Self.a + "/crawl/sitemap-encoded.xml"])
        #expect(robots.sitemapLocations.allSatisfy { text.contains("Sitemap: \($0)\n") })
        let index = try #require(CrawlSite.page(url: robots.sitemapLocations[0]))
        #expect(index.kind == .sitemapIndex)
        #expect(index.sitemapLocations == [Self.a + "/crawl/sitemap-pages.xml", Self.a + "/crawl/sitemap-more.xml.gz"])
        let sitemaps = index.sitemapLocations + [robots.sitemapLocations[1]]
        let listed = try sitemaps.flatMap { try #require(CrawlSite.page(url: $0)).sitemapLocations }
        let orphans = (0..<CrawlSite.orphanCount).map { Self.a + "/crawl/orphan/\($0).html" }
        #expect(Set(orphans).isSubset(of: listed))
        #expect(listed.allSatisfy { CrawlSite.page(url: $0)?.status == 200 })
        // Orphans are linked from nowhere (the calendar is cut at 40 days).
        let linked = CrawlSite.breadthFirst(from: [CrawlSite.seed(port: Self.port)], depth: 40)
        #expect(orphans.allSatisfy { linked[$0] == nil })
        #expect(linked[Self.a + "/crawl/private/secret.html"] == 4)
        let plain = try #require(CrawlSite.page(url: sitemaps[0]))
        #expect(plain.contentEncoding == nil && plain.contentType == "application/xml")
        #expect(plain.sitemapLocations.allSatisfy { String(decoding: plain.body, as: UTF8.self).contains("<loc>\($0)</loc>") })
        let file = try #require(CrawlSite.page(url: sitemaps[1]))
        #expect(file.contentType == "application/gzip" && file.contentEncoding == nil && file.body.starts(with: [0x1F, 0x8B]))
        let encoded = try #require(CrawlSite.page(url: sitemaps[2]))
        #expect(encoded.contentType == "application/xml" && encoded.contentEncoding == "gzip")
        #expect(encoded.body.starts(with: [0x1F, 0x8B]))
    }

    @Test func theCalendarNeverEnds() throws {
        let day = { (text: String) in CalendarDay(Substring(text)) }
        #expect(day("2024-02-28")?.next?.description == "2024-02-29")
        #expect(day("2024-02-29")?.next?.description == "2024-03-01")
        #expect(day("2026-12-31")?.next?.description == "2027-01-01")
        #expect(day("2100-02-28")?.next?.description == "2100-03-01")
        #expect(day("9999-12-31")?.next == nil)
        for bad in ["2026-02-29", "2026-1-01", "2026-13-01", "0999-01-01", "2026-01-00", "2026-01-32", "2026-01"] {
            #expect(day(bad) == nil, "\(bad)")
        }
        let crawled = CrawlSite.breadthFirst(from: [CrawlSite.seed(port: Self.port)], depth: 40)
        let calendar = crawled.filter { $0.key.contains("/crawl/calendar/") }
        #expect(calendar.count == 40 - 3)  // tree 6 is at depth 3 from the root
        #expect(calendar[Self.a + "/crawl/calendar/2026-01-01.html"] == 4)
        let page = try #require(CrawlSite.page(url: Self.a + "/crawl/calendar/2026-01-31.html"))
        #expect(page.links.first == Self.a + "/crawl/calendar/2026-02-01.html")
    }

    @Test(arguments: [
        ("/crawl/", "a.localhost", Route.crawl(host: "a.localhost", path: "/crawl/")),
        ("/crawl/tree/1.html?x=1", "b.localhost", .crawl(host: "b.localhost", path: "/crawl/tree/1.html")),
        ("/robots.txt", "shop.a.localhost", .crawl(host: "shop.a.localhost", path: "/robots.txt")),
        ("/robots.txt", "127.0.0.1", .robots),
        ("/robots.txt", "", .robots),
        ("/crawl/", "127.0.0.1", .notFound),
        ("/status/200", "a.localhost", .status(code: 200)),
        ("/gen/20000/0.html", "", .generated(index: 0, pages: 20000)),
        ("/gen/20000/19999.html", "a.localhost", .generated(index: 19999, pages: 20000)),
        ("/gen/20000/20000.html", "", .notFound),
        ("/gen/20000/01.html", "", .notFound),
        ("/gen/0/0.html", "", .notFound),
        ("/gen/20000/1", "", .notFound),
    ])
    func routes(uri: String, host: String, route: Route) {
        #expect(Route(uri: uri, host: host) == route)
    }

    @Test(arguments: [
        ("a.localhost:8080", "a.localhost", 8080), ("A.LocalHost", "a.localhost", nil),
        ("[::1]:80", "[::1]", 80), ("[::1]", "[::1]", nil), ("", "", nil), ("h:x", "h", nil),
    ] as [(String, String, Int?)])
    func hostHeaders(value: String, name: String, port: Int?) {
        #expect(HostHeader(value) == HostHeader(name: name, port: port))
    }

    /// Through the server, by name (libcurl resolves `*.localhost` to loopback itself): each
    /// response is the model's, and the request log has each URL once under its host.
    @Test func theServerAnswersAsTheModelSays() async throws {
        let server = try await Fixture.start()
        let fetcher = try Fetcher(configuration: FetchConfiguration())
        let port = server.port
        let urls = [
            "http://a.localhost:\(port)/crawl/", "http://a.localhost:\(port)/crawl/tree/5.html",
            "http://a.localhost:\(port)/crawl/base/page.html", "http://a.localhost:\(port)/robots.txt",
            "http://a.localhost:\(port)/crawl/files/pixel.png", "http://a.localhost:\(port)/crawl/missing.html",
            "http://a.localhost:\(port)/crawl/sitemap-more.xml.gz", "http://a.localhost:\(port)/crawl/sitemap-encoded.xml",
            "http://shop.a.localhost:\(port)/crawl/shop/index.html", "http://b.localhost:\(port)/crawl/b/index.html",
            "http://a.localhost:\(port)/crawl/calendar/2026-03-01.html",
        ]
        for url in urls {
            let response = await fetcher.fetch(Request(url: url))
            let page = try #require(CrawlSite.page(url: url))
            #expect(response.error == nil && response.status == page.status, "\(url)")
            #expect(response.contentType == page.contentType, "\(url)")
            if page.contentEncoding == nil {
                #expect(response.body == page.body, "\(url)")
            } else {
                // libcurl decodes Content-Encoding; the locations are in the decoded text.
                let text = String(decoding: response.body, as: UTF8.self)
                #expect(page.sitemapLocations.allSatisfy { text.contains("<loc>\($0)</loc>") })
            }
        }
        // The slow page takes its time; the redirect away lands on b.localhost.
        let slow = await fetcher.fetch(Request(url: "http://a.localhost:\(port)/crawl/depth/slow.html"))
        #expect(slow.status == 200 && (slow.timing?.total ?? 0) >= 0.39)
        let away = await fetcher.fetch(Request(url: "http://a.localhost:\(port)/crawl/redirect/away"))
        #expect(away.status == 200 && away.finalURL == "http://b.localhost:\(port)/crawl/b/landing.html")
        let other = await fetcher.fetch(Request(url: "\(server.baseURL)/crawl/"))
        #expect(other.status == 404)
        fetcher.shutdown()
        let log = server.requestLog()
        let seen = log.map { "http://\($0.host):\(port)\($0.uri)" }
        #expect(seen == urls + [
            "http://a.localhost:\(port)/crawl/depth/slow.html", "http://a.localhost:\(port)/crawl/redirect/away",
            "http://b.localhost:\(port)/crawl/b/landing.html", "http://127.0.0.1:\(port)/crawl/",
        ])
        try await server.shutdown()
    }

    @Test(arguments: [1, 10, 11, 111, 2000, 20000])
    func theGeneratedSiteHasItsClosedForm(pages: Int) throws {
        var depths = [0: 0]
        var level = [0]
        var depth = 0
        while !level.isEmpty {
            #expect(depths.count == GeneratedSite.pages(withinDepth: depth, of: pages))
            var next: [Int] = []
            for page in level {
                for link in GeneratedSite.links(of: page, pages: pages) where depths[link] == nil {
                    depths[link] = depth + 1
                    next.append(link)
                }
            }
            level = next
            depth += 1
        }
        #expect(depths.count == pages)
        #expect(depths.allSatisfy { GeneratedSite.depth(of: $0.key) == $0.value })
        for index in Set([0, 1, pages / 2, pages - 1]) where index < pages {
            let html = try #require(GeneratedSite.html(of: index, pages: pages))
            let base = try #require(URL(string: "http://127.0.0.1:1/gen/\(pages)/\(index).html"))
            let linked = Self.hrefs(in: html, tag: "a").compactMap { URL(string: $0, relativeTo: base)?.absoluteURL.path }
            #expect(linked == GeneratedSite.links(of: index, pages: pages).map { "/gen/\(pages)/\($0).html" })
            #expect(html.utf8.count > 1800 && html.utf8.count < 3000)
        }
        #expect(GeneratedSite.html(of: pages, pages: pages) == nil)
    }

    @Test func generatedSiteSizes() {
        #expect(GeneratedSite.pages(withinDepth: 4, of: 1_000_000) == 11_111)
        #expect(GeneratedSite.pages(withinDepth: 5, of: 20_000) == 20_000)
        #expect(GeneratedSite.pages(withinDepth: 4, of: 20_000) == 11_111)
        #expect(GeneratedSite.pages(withinDepth: 6, of: 200_000) == 200_000)
        #expect(GeneratedSite.pages(withinDepth: 5, of: 200_000) == 111_111)
        #expect(GeneratedSite.depth(of: 0) == 0 && GeneratedSite.depth(of: 10) == 1 && GeneratedSite.depth(of: 11) == 2)
    }
}
