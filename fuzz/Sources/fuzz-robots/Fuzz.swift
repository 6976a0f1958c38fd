import FuzzSupport
@testable import ParFetch

/// robots.txt: the input up to the first NUL is the file, the lines after it are paths to
/// decide (with the first of them also as user agent).
///
/// Invariants: parsing is deterministic; a path and the same path in a URL get the same
/// decision; /robots.txt is always allowed; and for a one-rule file whose rule and path are
/// plain ASCII, the decision is what a naive wildcard matcher says (RFC 9309 `*` and `$`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let split = input.firstIndex(of: 0) ?? input.endIndex
    let body = Array(input[..<split])
    let paths = input[split...].dropFirst().split(separator: 0x0A).prefix(16)
        .map { String(decoding: $0, as: UTF8.self) }
    let agent = paths.first ?? "parfetch/1.0"

    let rules = RobotsRules(parsing: body, userAgent: agent)
    invariant(rules == RobotsRules(parsing: body, userAgent: agent), "two parses of one file differ")
    for path in paths + ["/", "/robots.txt", "/robots.txt?x=1"] {
        let allowed = rules.allows(path: path)
        invariant(allowed == rules.allows(path: path), "two decisions on \(path) differ")
        // The path of a URL the list reader accepts is decided as the path itself, when
        // libcurl keeps it as given (it removes dot segments, for one).
        if path.hasPrefix("/"), let url = try? CheckedURL("http://example.com" + path),
           url.pathAndQuery == path.prefix(while: { $0 != "#" }) {
            invariant(allowed == rules.allows(path: url.pathAndQuery), "\(path) decided differently as a URL")
        }
        if path.hasPrefix("/robots.txt") && !path.hasPrefix("/robots.txt/") {
            let pathOnly = path.prefix { $0 != "?" && $0 != "#" }
            if pathOnly == "/robots.txt" { invariant(allowed, "\(path) disallowed") }
        }
    }

    // The matcher against a naive one, on each line of the file taken as the only rule.
    let plainPaths = paths.filter { $0.hasPrefix("/") && $0.utf8.allSatisfy(isPlain) }
    for line in body.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }).prefix(8) {
        let pattern = Array(line.drop { $0 == 0x20 || $0 == 0x09 })
        guard !pattern.isEmpty, pattern.allSatisfy(isPlain), !pattern.contains(UInt8(ascii: ":")) else { continue }
        let one = RobotsRules(parsing: Array("User-agent: *\nDisallow: ".utf8) + pattern, userAgent: "x")
        for path in plainPaths where !(path == "/robots.txt" || path.hasPrefix("/robots.txt?")) {
            let matched = naiveMatch(pattern, Array(path.utf8))
            invariant(one.allows(path: path) == !matched,
                      "Disallow: \(String(decoding: pattern, as: UTF8.self)) on \(path): matcher says \(!one.allows(path: path)), naive \(matched)")
        }
    }
    return 0
}

/// Printable ASCII that neither normalisation, comments nor fragments touch.
private func isPlain(_ byte: UInt8) -> Bool {
    (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "%") && byte != UInt8(ascii: "#")
}

/// RFC 9309 2.2.3 by backtracking: `*` any run of bytes, a final `$` the end of the path,
/// otherwise a prefix match.
private func naiveMatch(_ pattern: [UInt8], _ path: [UInt8]) -> Bool {
    var pattern = pattern[...]
    let anchored = pattern.last == UInt8(ascii: "$")
    if anchored { pattern = pattern.dropLast() }
    var memo: [Int: Bool] = [:]
    func match(_ p: Int, _ s: Int) -> Bool {
        let key = p * (path.count + 1) + s
        if let known = memo[key] { return known }
        let result: Bool
        if p == pattern.endIndex {
            result = !anchored || s == path.count
        } else if pattern[p] == UInt8(ascii: "*") {
            result = match(p + 1, s) || (s < path.count && match(p, s + 1))
        } else {
            result = s < path.count && path[s] == pattern[p] && match(p + 1, s + 1)
        }
        memo[key] = result
        return result
    }
    return match(pattern.startIndex, 0)
}
