import FixtureServer
import Foundation
import Testing
@testable import ParFetch

/// Every fixture page parsed as the fixture server serves it (`text/html`, no charset), from
/// `http://o.test/page/NAME`: exact page fields.
@Suite("Fixture pages")
struct FixturePagesTests {
    static let origin = "http://o.test"

    func parse(_ name: String, rules: [ExtractionRule] = []) throws -> PageData {
        let body = try Fixture.page(name)
        let url = "\(Self.origin)/page/\(name)"
        return try #require(PageParser(rules: rules).parse(Response(
            url: url, finalURL: url, status: 200, contentType: "text/html", body: Array(body))))
    }

    struct Expected: Sendable, CustomTestStringConvertible {
        var page: String
        var title: String
        var description: String
        var lang: String
        var canonical: String
        var links: [String]
        var testDescription: String { page }
    }

    static let o = origin
    static let expected: [Expected] = [
        Expected(
            page: "latin1.html", title: "Café crème à la française",
            description: "Où boire un café crème à Paris : adresses, prix et spécialités (½ tarif le dimanche).",
            lang: "fr", canonical: "https://fixtures.parfetch.test/page/latin1.html",
            links: ["\(o)/page/index.html", "\(o)/page/recettes.html", "\(o)/cafes/paris.html?arr=5&tri=prix",
                    "http://www.example.fr/patisserie", "\(o)/page/contact.html"]),
        Expected(
            page: "sjis.html", title: "日本語のページ",
            description: "ソフトウェアの表示テスト：Shift_JIS で書かれたページです。",
            lang: "ja", canonical: "https://fixtures.parfetch.test/page/sjis.html",
            links: ["\(o)/page/index.html", "\(o)/page/news/", "\(o)/page/sjis.html", "https://example.jp/kaisha/",
                    "\(o)/page/map.html?lang=ja&zoom=15", "\(o)/page/news/2024-04-01.html",
                    "\(o)/page/news/2024-03-15.html"]),
        Expected(
            page: "base.html", title: "Assets served from a CDN",
            description: "Relative links on this page resolve against its base URL, not the URL it was fetched from.",
            lang: "en", canonical: "https://cdn.example.test/assets/canonical.html",
            links: ["guide.html", "docs/intro.html", "../index.html", "/root.html", "?page=2", "",
                    "https://mirror.example.test/assets/guide.html", "https://www.example.test/about",
                    "http://plain.example.test/", "files/report-2024.pdf", "files/data.csv"].map {
                        $0.hasPrefix("http") ? $0 : cdn($0)
                    }),
        Expected(
            page: "links.html", title: "Links of every kind",
            description: "A page whose links test resolution, filtering and de-duplication.",
            lang: "en-GB", canonical: "\(o)/canonical/path",
            links: ["\(o)/page/a.html", "\(o)/up.html", "\(o)/page/x?q=1", "\(o)/root/absolute-path",
                    "\(o)/page/links.html?page=2", "http://example.test/plain", "https://secure.example.test/path?x=1",
                    "http://other.test/p", "https://mixed.example.test/Case", "\(o)/page/links.html",
                    "\(o)/area/left", "https://example.test/area/right", "\(o)/spaced/path", "\(o)/query?a=1&b=2",
                    "\(o)/UPPER/Case.html", "\(o)/unquoted/value", "\(o)/single/quoted",
                    "\(o)/spaces/around/equals", "\(o)/first/wins"]),
        Expected(
            page: "entities.html", title: "Fish & Chips – \"Best\" in 🐟 town © 2024",
            description: "Our <b>famous</b> fish & chips: crispy, golden & fresh — since 1984.",
            lang: "en", canonical: "https://fixtures.parfetch.test/page/entities.html?from=entities&v=2",
            links: ["\(o)/menu?fish=cod&size=large", "\(o)/menu?fish=haddock&size=small",
                    "\(o)/search?q=chips&copy=1", "\(o)/decoded/path", "\(o)/caf%c3%a9"]),
        Expected(
            page: "broken.html", title: "Broken markup, still readable",
            description: "Markup that browsers forgive: unclosed tags, stray end tags and an unterminated comment.",
            lang: "nl", canonical: "\(o)/page/broken.html",
            links: ["one", "two", "three", "four", "five", "six", "seven", "eight"].map { "\(o)/real/\($0)" }),
        Expected(
            page: "products.html", title: "Kitchen & Home | parfetch shop",
            description: "Twelve kitchen, home and garden products: a listing for CSS selector examples.",
            lang: "en-US", canonical: "https://shop.parfetch.test/c/kitchen-home",
            links: ["\(o)/", "\(o)/c/kitchen", "\(o)/c/home", "\(o)/c/garden", "\(o)/cart"]
                + (1...12).map { "\(o)/p/\($0)" }
                + ["\(o)/page/products.html?page=2", "\(o)/page/products.html?page=3", "\(o)/terms", "\(o)/privacy"]),
    ]

    static func cdn(_ path: String) -> String {
        let resolved = [
            "guide.html": "assets/guide.html", "docs/intro.html": "assets/docs/intro.html",
            "../index.html": "index.html", "/root.html": "root.html", "?page=2": "assets/?page=2", "": "assets/",
            "files/report-2024.pdf": "assets/files/report-2024.pdf", "files/data.csv": "assets/files/data.csv",
        ][path]!
        return "https://cdn.example.test/" + resolved
    }

    @Test(arguments: expected)
    func fields(expected: Expected) throws {
        let page = try parse(expected.page)
        #expect(page.title == expected.title)
        #expect(page.description == expected.description)
        #expect(page.lang == expected.lang)
        #expect(page.canonical == expected.canonical)
        #expect(page.links == expected.links)
    }

    @Test func largePages() throws {
        let large = try parse("large.html")
        #expect(large.title == "A large page: 5,000 links in 2 MB")
        #expect(large.links.count == 3857)
        let bench = try parse("bench-page.html")
        #expect(bench.title == "Council approves city budget after marathon session | Example News")
        #expect(bench.lang == "en-GB")
        #expect(bench.links.count == 496)
    }

    @Test func latin1PageDecodesWindows1252Bytes() throws {
        let page = try parse("latin1.html", rules: [try ExtractionRule(name: "prix", css: "p.prix")])
        #expect(page.extract.first?.values == ["Formule du matin : 6 € (café crème, croissant et jus d’orange)."])
    }

    @Test(arguments: [
        ("h2.name", ["Espresso Cup", "Chef's Knife", "Cast Iron Pan", "Linen Tea Towel", "Wool Throw", "Pepper Mill",
                     "Scented Candle", "Measuring Jug", "Herb Planter", "Watering Can", "Bamboo Tray", "Salad Bowl"]),
        ("span.price::text", ["9.99", "49.00", "34.50", "7.25", "79.00", "18.99", "12.00", "6.49", "22.95", "15.75",
                              "11.40", "27.00"]),
        ("span.price.sale", ["49.00", "7.25", "12.00", "15.75"]),
        ("s.was", ["65.00", "8.50", "15.00", "19.99"]),
        ("div.product::attr(data-sku)", ["KT-1001", "KT-1002", "KT-1003", "HM-2001", "HM-2002", "KT-1004", "HM-2003",
                                         "KT-1005", "GD-3001", "GD-3002", "HM-2004", "KT-1006"]),
        ("#p-wool-throw h2", ["Wool Throw"]),
        ("#stock-table tbody tr > td.stock", ["14", "3", "0", "52", "7", "21", "9", "0", "30", "5", "18", "11"]),
        ("div.product:first-child ul.tags li", ["kitchen", "ceramic"]),
        ("[id^=p-]::attr(id)", ["p-espresso-cup", "p-wool-throw", "p-herb-planter"]),
    ] as [(String, [String])])
    func selectorsOnTheProductListing(selector: String, values: [String]) throws {
        let page = try parse("products.html", rules: [try ExtractionRule(name: "x", css: selector)])
        #expect(page.extract.first?.values == values)
    }
}
