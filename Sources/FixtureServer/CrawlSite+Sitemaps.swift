/// `a.localhost`'s robots.txt and sitemaps (see ``CrawlSite``).
extension CrawlSitePages {
    func sitemapOrRobots(_ path: String) -> CrawlSite.Page? {
        switch path {
        case "/robots.txt":
            let sitemaps = [self.url("/crawl/sitemap.xml"), self.url("/crawl/sitemap-encoded.xml")]
            let text = "# parfetch fixture crawl site\nUser-agent: *\nDisallow: \(CrawlSite.disallowedPrefix)\n\n"
                + sitemaps.map { "Sitemap: \($0)\n" }.joined()
            return .other(.robots, contentType: "text/plain", body: Array(text.utf8), sitemapLocations: sitemaps)
        case "/crawl/sitemap.xml":
            let locations = [self.url("/crawl/sitemap-pages.xml"), self.url("/crawl/sitemap-more.xml.gz")]
            let xml = Self.xml("sitemapindex", locations.map { "<sitemap><loc>\($0)</loc></sitemap>" })
            return .other(.sitemapIndex, contentType: "application/xml", body: Array(xml.utf8), sitemapLocations: locations)
        case "/crawl/sitemap-pages.xml":
            let locations = ["/crawl/orphan/0.html", "/crawl/orphan/1.html", "/crawl/tree/0.html", "/crawl/tree/62.html"]
                .map { self.url($0) }
            return .other(.sitemap, contentType: "application/xml", body: Array(Self.urlset(locations).utf8),
                          sitemapLocations: locations)
        case "/crawl/sitemap-more.xml.gz":
            // A gzip file, not a gzip-encoded response: the client gets the compressed bytes.
            let locations = ["/crawl/orphan/2.html", "/crawl/orphan/3.html", "/crawl/docs/v2/guide.html"].map { self.url($0) }
            return .other(.sitemap, contentType: "application/gzip", body: Self.gzip(Self.urlset(locations)),
                          sitemapLocations: locations)
        case "/crawl/sitemap-encoded.xml":
            let locations = ["/crawl/orphan/4.html", "/crawl/orphan/5.html"].map { self.url($0) }
            return .other(.sitemap, contentType: "application/xml", body: Self.gzip(Self.urlset(locations)),
                          contentEncoding: "gzip", sitemapLocations: locations)
        default:
            return nil
        }
    }

    private static func urlset(_ locations: [String]) -> String {
        xml("urlset", locations.map { "<url><loc>\($0)</loc><lastmod>2026-01-01</lastmod></url>" })
    }

    private static func xml(_ root: String, _ entries: [String]) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(root) xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
            + entries.map { "  \($0)\n" }.joined() + "</\(root)>\n"
    }

    private static func gzip(_ text: String) -> [UInt8] {
        guard let compressed = Gzip.compress(Array(text.utf8)) else {
            preconditionFailure("zlib failed to compress \(text.utf8.count) bytes in memory")
        }
        return compressed
    }
}
