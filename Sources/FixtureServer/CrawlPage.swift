/// An HTML page of ``CrawlSite`` as it is described: each link as written in the HTML and the
/// absolute URL it leads to, so that ``CrawlSite/Page/links`` and the markup come from one list.
struct CrawlPage {
    struct Anchor {
        /// The `href` as written.
        var href: String
        /// Where it leads: absolute, no fragment; nil for a link never to follow (`mailto:`, …).
        var target: String?
        /// `<area href>` in an image map rather than `<a href>`.
        var isArea = false
    }

    let title: String
    /// `<base href>`, as written.
    var base: String?
    /// Markup for the head beyond the title and base (a stylesheet `<link>`).
    var head: [String] = []
    var anchors: [Anchor] = []

    init(title: String) {
        self.title = title
    }

    mutating func link(_ href: String, _ target: String?) {
        self.anchors.append(Anchor(href: href, target: target))
    }

    mutating func area(_ href: String, _ target: String?) {
        self.anchors.append(Anchor(href: href, target: target, isArea: true))
    }

    /// The targets, de-duplicated in page order.
    var links: [String] {
        var seen: Set<String> = []
        return self.anchors.compactMap(\.target).filter { seen.insert($0).inserted }
    }

    /// The page as HTML. Every `href` is double-quoted and holds no `"`, `&` or `<` (so tests
    /// can read them back without an HTML parser).
    var html: String {
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<title>\(self.title)</title>\n"
        if let base = self.base {
            html += "<base href=\"\(base)\">\n"
        }
        html += self.head.map { $0 + "\n" }.joined()
        html += "</head>\n<body>\n<h1 id=\"top\">\(self.title)</h1>\n<ul>\n"
        for (index, anchor) in self.anchors.enumerated() where !anchor.isArea {
            html += "<li><a href=\"\(anchor.href)\">link \(index)</a></li>\n"
        }
        html += "</ul>\n"
        let areas = self.anchors.filter(\.isArea)
        if !areas.isEmpty {
            html += "<img src=\"/crawl/files/pixel.png\" usemap=\"#map\" alt=\"map\">\n<map name=\"map\">\n"
            for (index, area) in areas.enumerated() {
                html += "<area shape=\"rect\" coords=\"0,\(index),1,\(index + 1)\" href=\"\(area.href)\" alt=\"area \(index)\">\n"
            }
            html += "</map>\n"
        }
        html += "<p>A page of the parfetch fixture crawl site.</p>\n</body>\n</html>\n"
        return html
    }

    var page: CrawlSite.Page {
        CrawlSite.Page(
            kind: .html, status: 200, contentType: "text/html; charset=utf-8", contentEncoding: nil,
            delayMilliseconds: 0, location: nil, links: self.links, sitemapLocations: [],
            body: Array(self.html.utf8)
        )
    }
}

extension CrawlSite.Page {
    static func other(
        _ kind: Kind, status: Int = 200, contentType: String, body: [UInt8], contentEncoding: String? = nil,
        location: String? = nil, sitemapLocations: [String] = []
    ) -> Self {
        Self(
            kind: kind, status: status, contentType: contentType, contentEncoding: contentEncoding,
            delayMilliseconds: 0, location: location, links: [], sitemapLocations: sitemapLocations, body: body
        )
    }
}
