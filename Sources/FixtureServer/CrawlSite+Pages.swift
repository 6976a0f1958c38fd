/// The pages of ``CrawlSite`` for one port (see its doc comment for the map).
struct CrawlSitePages {
    let host: String
    let port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `http://HOST:PORT/PATH`, on this page's host unless told otherwise.
    func url(_ path: String, on host: String? = nil) -> String {
        "http://\(host ?? self.host):\(self.port)\(path)"
    }

    func pageOnA(_ path: String) -> CrawlSite.Page? {
        if let name = Self.name(path, in: "/crawl/tree/", suffix: ".html"),
           let index = Route.canonicalNumber(name, in: 0...(CrawlSite.treeSize - 1)) {
            return self.tree(index)
        }
        if let name = Self.name(path, in: "/crawl/orphan/", suffix: ".html"),
           let index = Route.canonicalNumber(name, in: 0...(CrawlSite.orphanCount - 1)) {
            var page = CrawlPage(title: "orphan \(index)")
            page.link("../tree/0.html", self.url("/crawl/tree/0.html"))
            return page.page
        }
        if let name = Self.name(path, in: "/crawl/calendar/", suffix: ".html"), let day = CalendarDay(name) {
            var page = CrawlPage(title: "calendar \(day)")
            if let next = day.next {
                page.link("\(next).html", self.url("/crawl/calendar/\(next).html"))
            }
            page.link("/crawl/", self.url("/crawl/"))
            return page.page
        }
        switch path {
        case "/crawl/":
            var page = CrawlPage(title: "crawl site")
            page.link("tree/0.html", self.url("/crawl/tree/0.html"))
            page.link("depth/slow.html", self.url("/crawl/depth/slow.html"))
            page.link("./depth/fast-1.html", self.url("/crawl/depth/fast-1.html"))
            page.link("base/page.html#intro", self.url("/crawl/base/page.html"))
            page.link("#top", self.url("/crawl/"))
            return page.page
        case "/crawl/depth/slow.html":
            var page = CrawlPage(title: "slow")
            page.link("x.html", self.url("/crawl/depth/x.html"))
            var slow = page.page
            slow.delayMilliseconds = CrawlSite.slowDelayMilliseconds
            return slow
        case "/crawl/depth/fast-1.html", "/crawl/depth/fast-2.html":
            let next = path == "/crawl/depth/fast-1.html" ? 2 : 3
            var page = CrawlPage(title: "fast \(next - 1)")
            page.link("fast-\(next).html", self.url("/crawl/depth/fast-\(next).html"))
            return page.page
        case "/crawl/depth/fast-3.html":
            var page = CrawlPage(title: "fast 3")
            page.link("../depth/x.html", self.url("/crawl/depth/x.html"))
            return page.page
        case "/crawl/depth/x.html":
            var page = CrawlPage(title: "x")
            page.link("./y.html", self.url("/crawl/depth/y.html"))
            return page.page
        case "/crawl/depth/y.html":
            var page = CrawlPage(title: "y")
            page.link("/crawl/", self.url("/crawl/"))
            return page.page
        case "/crawl/base/page.html":
            var page = CrawlPage(title: "base")
            page.base = "/crawl/tree/"
            page.link("9.html", self.url("/crawl/tree/9.html"))
            page.link("./10.html#x", self.url("/crawl/tree/10.html"))
            page.link("../docs/v2/index.html", self.url("/crawl/docs/v2/index.html"))
            return page.page
        case "/crawl/redirect/stay":
            return self.redirect(to: self.url("/crawl/redirect/landing.html"))
        case "/crawl/redirect/away":
            return self.redirect(to: self.url("/crawl/b/landing.html", on: CrawlSite.hostB))
        case "/crawl/redirect/landing.html", "/crawl/private/secret.html":
            var page = CrawlPage(title: path.hasPrefix("/crawl/private/") ? "private" : "landing")
            page.link("../tree/0.html", self.url("/crawl/tree/0.html"))
            return page.page
        case "/crawl/missing.html":
            return .other(.notFound, status: 404, contentType: "text/html; charset=utf-8",
                          body: Array("<!DOCTYPE html>\n<title>not found</title>\n<p>No such page.</p>\n".utf8))
        case "/crawl/files/notes.txt":
            // Looks like markup, but it is text: a crawler that parses it as HTML finds a link.
            return .other(.text, contentType: "text/plain; charset=utf-8",
                          body: Array("Notes. <a href=\"/crawl/orphan/0.html\">not a link</a>\n".utf8))
        case "/crawl/files/pixel.png":
            return .other(.image, contentType: "image/png", body: Self.pixel)
        case "/crawl/files/style.css":
            return .other(.stylesheet, contentType: "text/css", body: Array("body { margin: 0 }\n".utf8))
        default:
            return self.docs(path) ?? self.sitemapOrRobots(path)
        }
    }

    func pageOnShop(_ path: String) -> CrawlSite.Page? {
        var page: CrawlPage
        switch path {
        case "/crawl/shop/index.html":
            page = CrawlPage(title: "shop")
            page.link("item/1.html", self.url("/crawl/shop/item/1.html"))
            page.link("./item/2.html", self.url("/crawl/shop/item/2.html"))
            page.link(self.url("/crawl/", on: CrawlSite.hostA), self.url("/crawl/", on: CrawlSite.hostA))
        case "/crawl/shop/item/1.html":
            page = CrawlPage(title: "item 1")
            page.link("2.html", self.url("/crawl/shop/item/2.html"))
            page.link("../index.html", self.url("/crawl/shop/index.html"))
        case "/crawl/shop/item/2.html":
            page = CrawlPage(title: "item 2")
            page.link("/crawl/shop/index.html", self.url("/crawl/shop/index.html"))
            let b = self.url("/crawl/b/index.html", on: CrawlSite.hostB)
            page.link(b, b)
        default:
            return nil  // robots.txt included: this host has none
        }
        return page.page
    }

    func pageOnB(_ path: String) -> CrawlSite.Page? {
        var page: CrawlPage
        switch path {
        case "/robots.txt":
            return .other(.robots, contentType: "text/plain", body: Array("User-agent: *\nDisallow:\n".utf8))
        case "/crawl/b/index.html":
            page = CrawlPage(title: "b")
            page.link("page-1.html", self.url("/crawl/b/page-1.html"))
            page.link("page-2.html", self.url("/crawl/b/page-2.html"))
            let tree = self.url("/crawl/tree/0.html", on: CrawlSite.hostA)
            page.link(tree, tree)
        case "/crawl/b/page-1.html":
            page = CrawlPage(title: "b 1")
            page.link("./page-2.html", self.url("/crawl/b/page-2.html"))
        case "/crawl/b/page-2.html", "/crawl/b/landing.html":
            page = CrawlPage(title: path.hasSuffix("landing.html") ? "b landing" : "b 2")
            page.link("index.html", self.url("/crawl/b/index.html"))
        default:
            return nil
        }
        return page.page
    }

    /// `/crawl/tree/N.html`: children 2N+1 and 2N+2 written in varied forms, the parent, the
    /// page itself, and the special links of pages 0 to 6.
    private func tree(_ index: Int) -> CrawlSite.Page {
        func tree(_ node: Int) -> String { self.url("/crawl/tree/\(node).html") }
        var page = CrawlPage(title: "tree \(index)")
        let children = [2 * index + 1, 2 * index + 2].filter { $0 < CrawlSite.treeSize }
        for (position, child) in children.enumerated() {
            let forms = ["\(child).html", "./\(child).html#section", "../tree/\(child).html", "\(child).html#part-2"]
            page.link(forms[(index + position) % forms.count], tree(child))
        }
        if index % 2 == 0, let first = children.first {
            page.link("./\(first).html", tree(first))  // the same target again
        }
        if index > 0 {
            page.link("/crawl/tree/\((index - 1) / 2).html", tree((index - 1) / 2))
        }
        page.link("#top", tree(index))
        if index % 4 == 0 {
            page.link(self.url("/crawl/"), self.url("/crawl/"))
        }
        switch index {
        case 0:
            page.head.append("<link rel=\"stylesheet\" href=\"/crawl/files/style.css\">")
            page.area("2.html", tree(2))
            page.area("../", self.url("/crawl/"))
        case 1:
            page.link("../files/notes.txt", self.url("/crawl/files/notes.txt"))
            page.link("../files/pixel.png", self.url("/crawl/files/pixel.png"))
            page.link("../missing.html", self.url("/crawl/missing.html"))
        case 2:
            page.link("mailto:someone@a.localhost", nil)
            page.link("javascript:void(0)", nil)
            page.link("tel:+1-555-0100", nil)
            page.link("data:text/plain;base64,aGk=", nil)
            page.link("ftp://a.localhost/file.txt", nil)
        case 3:
            let shop = self.url("/crawl/shop/index.html", on: CrawlSite.hostShop)
            page.link(shop, shop)
            page.link("//\(CrawlSite.hostB):\(self.port)/crawl/b/index.html", self.url("/crawl/b/index.html", on: CrawlSite.hostB))
        case 4:
            page.link("../redirect/stay", self.url("/crawl/redirect/stay"))
            page.link("../redirect/away", self.url("/crawl/redirect/away"))
        case 5:
            page.link("../private/secret.html", self.url("/crawl/private/secret.html"))
        case 6:
            page.link("../calendar/2026-01-01.html", self.url("/crawl/calendar/2026-01-01.html"))
            page.link("../docs/v1/index.html", self.url("/crawl/docs/v1/index.html"))
        default:
            break
        }
        return page.page
    }

    /// The `/crawl/docs/` section, for a path-prefix scope.
    private func docs(_ path: String) -> CrawlSite.Page? {
        func docs(_ rest: String) -> String { self.url("/crawl/docs/" + rest) }
        var page = CrawlPage(title: String(path.dropFirst("/crawl/".count)))
        switch path {
        case "/crawl/docs/v1/index.html":
            page.link("guide.html", docs("v1/guide.html"))
            page.link("api/index.html", docs("v1/api/index.html"))
            page.link("../v1-old/index.html", docs("v1-old/index.html"))
            page.link("../v2/index.html", docs("v2/index.html"))
            page.link("/crawl/", self.url("/crawl/"))
        case "/crawl/docs/v1/guide.html":
            page.link("index.html", docs("v1/index.html"))
            page.link("./api/index.html#params", docs("v1/api/index.html"))
        case "/crawl/docs/v1/api/index.html":
            page.link("../guide.html", docs("v1/guide.html"))
            page.link("/crawl/docs/v2/api/index.html", docs("v2/api/index.html"))
        case "/crawl/docs/v1-old/index.html":
            page.link("../v1/index.html", docs("v1/index.html"))
        case "/crawl/docs/v2/index.html":
            page.link("../v1/index.html", docs("v1/index.html"))
            page.link("guide.html", docs("v2/guide.html"))
            page.link("api/index.html", docs("v2/api/index.html"))
        case "/crawl/docs/v2/guide.html":
            page.link("index.html", docs("v2/index.html"))
        case "/crawl/docs/v2/api/index.html":
            page.link("../index.html", docs("v2/index.html"))
        default:
            return nil
        }
        return page.page
    }

    private func redirect(to location: String) -> CrawlSite.Page {
        .other(.redirect, status: 302, contentType: "text/plain", body: Array("redirect\n".utf8), location: location)
    }

    /// The file name in `directory` (`/crawl/tree/` + `7` + `.html`), nil unless `path` is one.
    private static func name(_ path: String, in directory: String, suffix: String) -> Substring? {
        guard path.hasPrefix(directory), path.hasSuffix(suffix), path.count > directory.count + suffix.count else {
            return nil
        }
        let name = path.dropFirst(directory.count).dropLast(suffix.count)
        return name.contains("/") ? nil : name
    }

    /// A 1×1 transparent PNG.
    private static let pixel: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
        0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
        0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
        0x42, 0x60, 0x82,
    ]
}
