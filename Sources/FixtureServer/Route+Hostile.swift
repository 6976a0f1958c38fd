/// Parsing the hostile routes' queries: each parameter has a default, a value out of range or
/// not made of digits is ``Route/notFound``.
extension Route {
    /// The largest `/huge-header` block: it is built whole, in memory.
    static let maxHugeHeaderBytes = 16 << 20
    /// The most header lines of a `/huge-header`.
    static let maxHugeHeaderLines = 1_000_000
    /// The deepest `/nested` page (about 11 bytes a level).
    static let maxNestingDepth = 10_000_000

    static func hostile(_ name: Substring, query: Substring) -> Route {
        let parameters = QueryString.parameters(query)
        /// The parameter as a number in `range`, `fallback` when absent, nil when malformed.
        func value(_ key: String, _ fallback: Int, in range: ClosedRange<Int>) -> Int? {
            guard let text = parameters[key] else { return fallback }
            return number(text, in: range)
        }
        let route: Route?
        switch name {
        case "overlong": route = value("ms", 0, in: 0...maxMilliseconds).map { .overlong(milliseconds: $0) }
        case "endless": route = .endless
        case "huge-header":
            guard let bytes = value("bytes", 1 << 20, in: 1...maxHugeHeaderBytes),
                  let lines = value("lines", 1, in: 1...maxHugeHeaderLines), lines <= bytes
            else { return .notFound }
            route = .hugeHeader(bytes: bytes, lines: lines)
        case "bad-chunk": route = .badChunk
        case "trickle-headers":
            route = value("ms", 1000, in: 1...maxMilliseconds).map { .trickleHeaders(milliseconds: $0) }
        case "redirect-loop": route = .redirectLoop
        case "binary":
            guard let count = value("bytes", 65_536, in: 0...Int.max), let seed = value("seed", 1, in: 0...Int.max)
            else { return .notFound }
            route = .binary(count: count, seed: UInt64(seed))
        case "bad-title": route = .badTitle
        case "nested": route = value("depth", 100_000, in: 0...maxNestingDepth).map { .nested(depth: $0) }
        case "links": route = value("count", 1000, in: 0...Int.max).map { .links(count: $0) }
        default: route = nil
        }
        return route ?? .notFound
    }
}
