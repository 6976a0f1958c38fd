/// What a request asks for, decided from its URI alone, so that routing is a pure function that
/// tests can check without a socket. Anything malformed (a non-numeric code, a name with `/` or
/// `..`, a value out of range) is ``notFound``.
enum Route: Equatable, Sendable {
    case page(name: String)
    case gzip(name: String)
    case chunked(name: String)
    case status(code: Int)
    case delay(milliseconds: Int)
    case redirect(remaining: Int)
    case redirectTo(location: String)
    case bytes(count: Int)
    case drip(bytes: Int, milliseconds: Int)
    case closeEarly
    case reset
    case hang
    /// Echoes the request line and headers as text, so tests can see what a client sent.
    case headers
    case stats
    case statsReset
    case notFound

    /// Bounds waits so that `TimeAmount.milliseconds` cannot overflow: an hour is longer than any test.
    static let maxMilliseconds = 3_600_000

    init(uri: String) {
        // A request through a proxy names the whole URL ("absolute form"); route its path.
        var uri = Substring(uri)
        if let colon = uri.firstIndex(of: ":"), uri[..<colon].allSatisfy(\.isLetter),
           uri[colon...].hasPrefix("://") {
            let authority = uri[uri.index(colon, offsetBy: 3)...]
            uri = authority.firstIndex(of: "/").map { authority[$0...] } ?? "/"
        }
        let pathAndQuery = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = pathAndQuery[0]
        let query = pathAndQuery.count > 1 ? pathAndQuery[1] : ""
        // "/page/a.html" → ["", "page", "a.html"]; keeping empty parts rejects "//" and a trailing "/".
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].isEmpty else {
            self = .notFound
            return
        }
        let argument = parts.count == 3 ? String(parts[2]) : nil
        switch (parts[1], parts.count) {
        case ("page", 3): self = Route.pageName(argument).map { .page(name: $0) } ?? .notFound
        case ("gzip", 3): self = Route.pageName(argument).map { .gzip(name: $0) } ?? .notFound
        case ("chunked", 3): self = Route.pageName(argument).map { .chunked(name: $0) } ?? .notFound
        case ("status", 3): self = Route.number(argument, in: 200...599).map { .status(code: $0) } ?? .notFound
        case ("delay", 3):
            self = Route.number(argument, in: 0...Route.maxMilliseconds).map { .delay(milliseconds: $0) } ?? .notFound
        case ("redirect", 3): self = Route.number(argument, in: 0...Int.max).map { .redirect(remaining: $0) } ?? .notFound
        case ("redirect-to", 2): self = Route.redirectTarget(query).map { .redirectTo(location: $0) } ?? .notFound
        case ("bytes", 3): self = Route.number(argument, in: 0...Int.max).map { .bytes(count: $0) } ?? .notFound
        case ("drip", 2): self = Route.drip(query)
        case ("close-early", 2): self = .closeEarly
        case ("reset", 2): self = .reset
        case ("hang", 2): self = .hang
        case ("headers", 2): self = .headers
        case ("stats", 2): self = .stats
        case ("stats", 3) where argument == "reset": self = .statsReset
        default: self = .notFound
        }
    }

    /// Whether the request counts in ``FixtureStats``: reading the counters must not change them.
    var isCounted: Bool {
        switch self {
        case .stats, .statsReset: false
        default: true
        }
    }

    /// A file name inside the pages directory, never a path out of it.
    private static func pageName(_ text: String?) -> String? {
        guard let text, !text.isEmpty, !text.contains(".."), !text.contains("/") else { return nil }
        return text
    }

    private static func number(_ text: (some StringProtocol)?, in range: ClosedRange<Int>) -> Int? {
        // Int("+5") parses; a route number is digits only.
        guard let text, !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard let value = Int(text), range.contains(value) else { return nil }
        return value
    }

    private static func redirectTarget(_ query: Substring) -> String? {
        guard let url = QueryString.parameters(query)["url"], !url.isEmpty else { return nil }
        // A control character (CR, LF) in a header value would let a URL inject headers.
        guard !url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return url
    }

    private static func drip(_ query: Substring) -> Route {
        let parameters = QueryString.parameters(query)
        let bytes = parameters["bytes"].map { number($0, in: 0...Int.max) } ?? 10
        let milliseconds = parameters["ms"].map { number($0, in: 0...maxMilliseconds) } ?? 100
        guard let bytes, let milliseconds else { return .notFound }
        return .drip(bytes: bytes, milliseconds: milliseconds)
    }
}
