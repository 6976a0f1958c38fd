extension RobotsRules {
    /// Sitemaps a site's robots.txt keeps, at most: the crawl reads each, so a file listing
    /// millions can't make it read millions.
    static let maxSitemaps = 1_000

    /// The `Sitemap:` URLs of a robots.txt body, in file order, without repeats: the key in
    /// any case, anywhere in the file (the lines belong to no group, RFC 9309 2.2.4), the
    /// value an absolute http(s) URL (others are skipped; the sitemaps.org protocol asks for
    /// the full URL). Reads no more than `parseLimit` bytes and keeps at most `limit` URLs.
    static func sitemapURLs(in body: [UInt8], limit: Int = maxSitemaps) -> [CheckedURL] {
        LoopThreads.checkNotOnLoop()
        var text = body.prefix(parseLimit)
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        // A line cut by the limit is dropped rather than read as a shorter URL.
        if body.count > parseLimit, !isSitemapLineBreak(body[parseLimit]) {
            text = text[..<(text.lastIndex(where: isSitemapLineBreak) ?? text.startIndex)]
        }
        let check = URLCheck()
        var urls: [CheckedURL] = []
        var seen: Set<String> = []
        for line in text.split(whereSeparator: isSitemapLineBreak) where urls.count < limit {
            let content = line[..<(line.firstIndex(of: UInt8(ascii: "#")) ?? line.endIndex)]
            guard let colon = content.firstIndex(of: UInt8(ascii: ":")),
                  sitemapTrimmed(content[..<colon]).map(sitemapLowercased).elementsEqual("sitemap".utf8)
            else { continue }
            let value = sitemapTrimmed(content[(colon + 1)...])
            guard !value.isEmpty, case .success(let url) = check.check(String(decoding: value, as: UTF8.self)),
                  seen.insert(url.absolute).inserted
            else { continue }
            urls.append(url)
        }
        return urls
    }

    private static func isSitemapLineBreak(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func sitemapTrimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return bytes[first...last]
    }

    private static func sitemapLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
