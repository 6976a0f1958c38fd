/// The rules of one host's robots.txt that apply to one user agent (RFC 9309).
///
/// Everything is worked out once, at init, because `allows(path:)` runs for every URL of a
/// crawl: the rules are kept longest first, so the first one that matches is the RFC's winner,
/// and each pattern is pre-split at its `*`s with a search table per piece, so matching stays
/// linear in the path whatever the pattern.
struct RobotsRules: Sendable, Equatable {
    /// Every path allowed (robots.txt missing: a 4xx answer).
    static let allowAll = RobotsRules(patterns: [], crawlDelay: nil)
    /// Every path disallowed (robots.txt unreachable: a 5xx answer or a network failure).
    static let disallowAll = RobotsRules(patterns: [(allow: false, value: Array("/".utf8)[...])], crawlDelay: nil)

    /// The group's Crawl-delay in seconds, if it has a valid one (non-negative number, decimals
    /// allowed). Not part of RFC 9309 but widely used. With several groups merged, the first
    /// valid one in the file counts.
    let crawlDelay: Double?
    /// Longest pattern first, allow before disallow at equal length.
    private let rules: [Rule]
    private let literals: Literals

    /// RFC 9309 asks parsers to handle at least 500 KiB; more than that is ignored, so that a
    /// huge or endless answer can't cost unbounded memory and time.
    static let parseLimit = 500 * 1024

    private init(patterns: [(allow: Bool, value: ArraySlice<UInt8>)], crawlDelay: Double?) {
        var literals = Literals()
        rules = patterns.map { literals.rule(allow: $0.allow, value: $0.value) }
            .sorted { ($0.length, $0.allow ? 1 : 0) > ($1.length, $1.allow ? 1 : 0) }
        self.literals = literals
        self.crawlDelay = crawlDelay
    }

    /// Parses `body` (bytes of robots.txt, any encoding; parse it as UTF-8 with invalid bytes
    /// tolerated) and keeps the group(s) for `userAgent`.
    init(parsing body: [UInt8], userAgent: String) {
        LoopThreads.checkNotOnLoop()
        let ours = Array(Self.productToken(of: userAgent).utf8)
        var ourRules: [(allow: Bool, value: ArraySlice<UInt8>)] = [], starRules = ourRules
        var ourDelay: Double?, starDelay: Double?
        var foundOurs = false
        // The group being read; its user-agent lines all come before its first rule, so by the
        // time a rule arrives we know whose it is.
        var inGroup = false, readingAgents = false, groupIsOurs = false, groupIsStar = false
        for line in Self.lines(of: body) {
            guard let record = Self.record(in: line) else { continue }
            let (key, value) = record
            if key == .userAgent {
                if !readingAgents {
                    (inGroup, readingAgents, groupIsOurs, groupIsStar) = (true, true, false, false)
                }
                let token = Self.productToken(in: value)
                if !ours.isEmpty && token == ours {
                    groupIsOurs = true
                    foundOurs = true
                } else if token == [UInt8(ascii: "*")] {
                    groupIsStar = true
                }
                continue
            }
            // Rules before any user-agent line belong to no group.
            guard inGroup else { continue }
            readingAgents = false
            guard groupIsOurs || groupIsStar else { continue }
            switch key {
            case .allow, .disallow:
                // An empty value is no rule; RFC 9309 spells `Disallow:` this way to allow everything.
                guard !value.isEmpty else { continue }
                let rule = (allow: key == .allow, value: value)
                if groupIsOurs { ourRules.append(rule) } else { starRules.append(rule) }
            case .crawlDelay:
                guard let delay = Self.seconds(in: value) else { continue }
                if groupIsOurs {
                    ourDelay = ourDelay ?? delay
                } else {
                    starDelay = starDelay ?? delay
                }
            case .userAgent:
                continue
            }
        }
        // A group naming us shuts out the `*` groups, even when it has no rules.
        if foundOurs {
            self.init(patterns: ourRules, crawlDelay: ourDelay)
        } else {
            self.init(patterns: starRules, crawlDelay: starDelay)
        }
    }

    /// Whether a path-and-query (starting with "/"; a fragment is ignored) may be fetched.
    func allows<Path: StringProtocol>(path: Path) -> Bool {
        if rules.isEmpty { return true }
        var bytes = Array(path.utf8)
        if let hash = bytes.firstIndex(of: UInt8(ascii: "#")) { bytes.removeSubrange(hash...) }
        if bytes.first != UInt8(ascii: "/") { bytes.insert(UInt8(ascii: "/"), at: 0) }
        return allows(pathBytes: bytes)
    }

    private func allows(pathBytes: [UInt8]) -> Bool {
        let path = Self.needsNormalising(pathBytes) ? Self.normalised(pathBytes[...]) : pathBytes
        // RFC 9309 2.2.1: the crawler must always be able to read the rules themselves.
        let pathOnly = path.firstIndex(of: UInt8(ascii: "?")).map { path[..<$0] } ?? path[...]
        if pathOnly.elementsEqual("/robots.txt".utf8) { return true }
        for rule in rules where literals.matches(rule, path) {
            return rule.allow
        }
        return true
    }

    /// The product token matched: the first token of `userAgent` up to "/" or space, lower-cased
    /// (e.g. "parfetch" for "parfetch/0.1.0").
    static func productToken(of userAgent: String) -> String {
        String(decoding: productToken(in: Array(userAgent.utf8)[...]), as: UTF8.self)
    }

    /// Only ASCII is lower-cased: product tokens are ASCII (RFC 9309 allows `a-zA-Z_-`), and
    /// both sides of the comparison go through here.
    private static func productToken(in value: ArraySlice<UInt8>) -> [UInt8] {
        let text = trimmed(value)
        let end = text.firstIndex { $0 == UInt8(ascii: "/") || isSpace($0) } ?? text.endIndex
        return text[..<end].map(lowercased)
    }
}

// MARK: - Lines and records

extension RobotsRules {
    private enum Key {
        case userAgent, allow, disallow, crawlDelay
    }

    /// The lines of `body` within the parse limit, without a leading BOM. A line cut by the limit
    /// is dropped rather than read as a shorter, different rule.
    private static func lines(of body: [UInt8]) -> [ArraySlice<UInt8>] {
        var text = body[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        if text.count > parseLimit {
            let cut = text.startIndex + parseLimit
            if isLineBreak(text[cut]) {
                text = text[..<cut]
            } else {
                text = text[..<(text[..<cut].lastIndex(where: isLineBreak) ?? text.startIndex)]
            }
        }
        // CR, LF and CRLF all end a line; CRLF just yields an extra blank line, which is ignored.
        return text.split(omittingEmptySubsequences: true, whereSeparator: isLineBreak)
    }

    /// The key and value of a `key: value` line, without its comment and surrounding white
    /// space; nil for blank lines, lines without a colon, and keys we don't use (e.g. `sitemap`).
    private static func record(in line: ArraySlice<UInt8>) -> (Key, ArraySlice<UInt8>)? {
        let content = line[..<(line.firstIndex(of: UInt8(ascii: "#")) ?? line.endIndex)]
        guard let colon = content.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let name = trimmed(content[..<colon]).map(lowercased)
        let key: Key
        switch String(decoding: name, as: UTF8.self) {
        case "user-agent": key = .userAgent
        case "allow": key = .allow
        case "disallow": key = .disallow
        case "crawl-delay": key = .crawlDelay
        default: return nil
        }
        return (key, trimmed(content[(colon + 1)...]))
    }

    /// A non-negative decimal number of seconds. Checked by hand because `Double(_:)` would
    /// also take signs, exponents, `inf`, `nan` and hex.
    private static func seconds(in value: ArraySlice<UInt8>) -> Double? {
        let digits = value.filter { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
        let dots = value.filter { $0 == UInt8(ascii: ".") }.count
        guard digits > 0, dots <= 1, digits + dots == value.count,
              let seconds = Double(String(decoding: value, as: UTF8.self)), seconds.isFinite
        else { return nil }
        return seconds
    }

    private static func isLineBreak(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return bytes[first...last]
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}

// MARK: - Paths and percent-encoding

extension RobotsRules {
    /// Whether `normalised` would change `bytes`: most paths are plain ASCII without escapes,
    /// and skip the copy.
    private static func needsNormalising(_ bytes: [UInt8]) -> Bool {
        bytes.contains { $0 == UInt8(ascii: "%") || $0 <= 0x20 || $0 >= 0x7F }
    }

    /// One spelling for each path, so that patterns and paths compare as RFC 9309 2.2.2 asks:
    /// escaped unreserved characters decoded, other escapes in upper case, and bytes that can't
    /// appear raw in a URL (white space, controls, non-ASCII such as UTF-8) escaped. `*` and `$`
    /// are untouched, so `%2A` and `%24` stay literal.
    private static func normalised(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                let decoded = high << 4 | low
                if isUnreserved(decoded) {
                    result.append(decoded)
                } else {
                    result.append(contentsOf: escaped(decoded))
                }
                index += 3
            } else {
                if byte <= 0x20 || byte >= 0x7F {
                    result.append(contentsOf: escaped(byte))
                } else {
                    result.append(byte)
                }
                index += 1
            }
        }
        return result
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func escaped(_ byte: UInt8) -> [UInt8] {
        [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// RFC 3986's unreserved characters: the only ones whose escaped and raw forms mean the same.
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}

// MARK: - Rules and patterns

extension RobotsRules {
    /// One allow or disallow line of a group that applies to us. Its text lives in `Literals`,
    /// so a rule is a few plain numbers and scanning the rules for each path costs no
    /// reference counting.
    private struct Rule: Sendable, Equatable {
        let allow: Bool
        /// The value's length as written, in octets: RFC 9309's measure of how specific it is.
        let length: Int
        /// The literal text before the first `*`, which must start the path.
        let head: Range<Int>
        /// The literal texts after each `*`, empty ones dropped (indices into `Literals.pieces`).
        /// Each is found leftmost after the one before: any later match would leave less room.
        let pieces: Range<Int>
        let hasWildcard: Bool
        /// The value ended in `$`: the match must reach the end of the path.
        let anchored: Bool
    }

    /// The literal text of all rules, normalised, with a Knuth–Morris–Pratt table for each
    /// piece, so that finding a piece never re-reads the path: a pattern like `/*a*a*a*b` costs
    /// one pass over the path, not a backtracking search.
    private struct Literals: Sendable, Equatable {
        private(set) var bytes: [UInt8] = []
        /// For each byte of a literal, the length of the longest proper prefix of the literal up
        /// to there that is also its suffix: where to resume when the next byte doesn't match.
        private(set) var fallback: [Int] = []
        private(set) var pieces: [Range<Int>] = []

        mutating func rule(allow: Bool, value: ArraySlice<UInt8>) -> Rule {
            var text = value
            var anchored = text.last == UInt8(ascii: "$")
            if anchored { text = text.dropLast() }
            let parts = RobotsRules.normalised(text).split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false)
            let hasWildcard = parts.count > 1
            // "*$" anchors nothing: the `*` can always stretch to the end.
            if hasWildcard && parts.last?.isEmpty == true { anchored = false }
            let head = append(parts.first ?? [])
            let firstPiece = pieces.count
            for part in parts.dropFirst() where !part.isEmpty {
                pieces.append(append(part))
            }
            return Rule(allow: allow, length: value.count, head: head, pieces: firstPiece..<pieces.count,
                        hasWildcard: hasWildcard, anchored: anchored)
        }

        private mutating func append(_ literal: ArraySlice<UInt8>) -> Range<Int> {
            let start = bytes.count
            bytes.append(contentsOf: literal)
            fallback.append(contentsOf: repeatElement(0, count: literal.count))
            var length = 0
            for index in (start..<bytes.count).dropFirst() {
                while length > 0 && bytes[index] != bytes[start + length] { length = fallback[start + length - 1] }
                if bytes[index] == bytes[start + length] { length += 1 }
                fallback[index] = length
            }
            return start..<bytes.count
        }

        func matches(_ rule: Rule, _ path: [UInt8]) -> Bool {
            guard path.count >= rule.head.count else { return false }
            var offset = 0
            for index in rule.head {
                guard path[offset] == bytes[index] else { return false }
                offset += 1
            }
            guard rule.hasWildcard else { return !rule.anchored || path.count == rule.head.count }
            var position = rule.head.count
            var end = path.count
            var middle = rule.pieces
            if rule.anchored, let last = middle.last.map({ pieces[$0] }) {
                // The last piece is pinned to the end of the path; the others must fit before it.
                end -= last.count
                guard end >= position, path[end...].elementsEqual(bytes[last]) else { return false }
                middle = middle.dropLast()
            }
            for piece in middle {
                guard let found = firstMatch(of: pieces[piece], in: path, from: position, to: end) else { return false }
                position = found + pieces[piece].count
            }
            return true
        }

        /// Where the first whole occurrence of `piece` in `path[start..<end]` begins.
        private func firstMatch(of piece: Range<Int>, in path: [UInt8], from start: Int, to end: Int) -> Int? {
            guard end - start >= piece.count else { return nil }
            var matched = 0
            for index in start..<end {
                let byte = path[index]
                while matched > 0 && bytes[piece.lowerBound + matched] != byte {
                    matched = fallback[piece.lowerBound + matched - 1]
                }
                if bytes[piece.lowerBound + matched] == byte { matched += 1 }
                if matched == piece.count { return index + 1 - matched }
            }
            return nil
        }
    }
}
