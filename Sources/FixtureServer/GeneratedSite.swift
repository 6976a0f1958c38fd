/// A big deterministic site for crawl benchmarks: `/gen/P/N.html`, pages N in 0..<P, on any
/// host. Page N's children in a ``fanout``-ary tree are `kN+1 … kN+k` (those below P), so the
/// pages lie in breadth-first order and page N's depth from page 0 is its level in the tree.
///
/// Each page is about 2 KB: a title, paragraphs of filler text and relative links: its
/// children (`C.html`), and already-seen pages: its parent (`./P.html`), the root
/// (`../P/0.html`) and a pseudo-random earlier page (`M.html#seen`, M < N). The links back
/// never shorten a path (an earlier page is never deeper), so a breadth-first crawl from
/// `/gen/P/0.html` to depth d fetches exactly ``pages(withinDepth:of:)``, that is
/// min(P, (k^(d+1) − 1) / (k − 1)) pages: with k = 10, 11,111 to depth 4, 111,111 to depth 5
/// and 1,111,111 to depth 6; a site of 20,000 (or 200,000) pages is crawled whole at depth 5
/// (or 6). P is in the path, so relative links keep it and any size needs no server option.
public enum GeneratedSite {
    /// Children per page.
    public static let fanout = 10
    /// The largest P.
    public static let maxPages = 100_000_000

    /// Pages within `depth` links of page 0 in a site of `pages` pages.
    public static func pages(withinDepth depth: Int, of pages: Int) -> Int {
        var total = 0
        var level = 1
        for _ in 0...max(0, depth) {
            total += level
            if total >= pages { return pages }
            level *= fanout
        }
        return total
    }

    /// Page `index`'s depth (its level in the tree).
    public static func depth(of index: Int) -> Int {
        var depth = 0
        var node = index
        while node > 0 {
            node = (node - 1) / fanout
            depth += 1
        }
        return depth
    }

    /// The pages page `index` links, in page order: children, then parent, root and an earlier
    /// page (repeats kept; a crawler de-duplicates them).
    public static func links(of index: Int, pages: Int) -> [Int] {
        var links = Array(Self.children(of: index, pages: pages))
        if index > 0 {
            links += [(index - 1) / fanout, 0]
        }
        if index > 1 {
            links.append(Self.earlier(than: index))
        }
        return links
    }

    /// The page as HTML; nil unless `index` is in 0..<`pages` and `pages` in 1...``maxPages``.
    public static func html(of index: Int, pages: Int) -> String? {
        guard (1...maxPages).contains(pages), (0..<pages).contains(index) else { return nil }
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<title>Page \(index) of \(pages)</title>\n"
        html += "<meta name=\"description\" content=\"Generated page \(index), depth \(depth(of: index)).\">\n"
        html += "</head>\n<body>\n<h1>Page \(index)</h1>\n"
        html += Self.filler[index % Self.filler.count]
        html += "<ul>\n"
        for child in Self.children(of: index, pages: pages) {
            html += "<li><a href=\"\(child).html\">page \(child)</a></li>\n"
        }
        html += "</ul>\n"
        if index > 0 {
            html += "<p><a href=\"./\((index - 1) / fanout).html\">up</a> <a href=\"../\(pages)/0.html\">home</a>"
            if index > 1 {
                html += " <a href=\"\(Self.earlier(than: index)).html#seen\">see also</a>"
            }
            html += "</p>\n"
        }
        html += "</body>\n</html>\n"
        return html
    }

    private static func children(of index: Int, pages: Int) -> Range<Int> {
        let first = fanout * index + 1
        return first..<max(first, min(pages, first + fanout))
    }

    /// A pseudo-random page before `index` (> 1), the same each time.
    private static func earlier(than index: Int) -> Int {
        Int(GeneratedBody.splitmix64(UInt64(index)) % UInt64(index))
    }

    /// Eight blocks of about 1.7 KB of text, made once: pages differ in their links, not in
    /// what it costs the server to write their prose.
    private static let filler: [String] = (0..<8).map { block in
        let words = [
            "crawler", "frontier", "breadth", "depth", "page", "link", "host", "scope", "robots", "sitemap",
            "fetch", "record", "parse", "queue", "budget", "order", "shortest", "path", "level", "seed",
        ]
        var state = UInt64(block)
        var text = ""
        for _ in 0..<6 {
            var sentence: [String] = []
            for _ in 0..<40 {
                state = GeneratedBody.splitmix64(state)
                sentence.append(words[Int(state % UInt64(words.count))])
            }
            text += "<p>" + sentence.joined(separator: " ") + ".</p>\n"
        }
        return text
    }
}
