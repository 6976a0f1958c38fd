/// What a request asks for, decided from its URI (and, for the `/crawl/` site, its Host
/// header's name) alone, so that routing is a pure function that tests can check without a
/// socket. Anything malformed (a non-numeric code, a name with `/` or `..`, a value out of
/// range) is ``notFound``.
enum Route: Equatable, Sendable {
    case page(name: String)
    case gzip(name: String)
    case chunked(name: String)
    case status(code: Int)
    case delay(milliseconds: Int)
    case redirect(remaining: Int)
    case redirectTo(location: String)
    case bytes(count: Int)
    /// `count` bytes (byte `i` is `i % 256`) served as `contentType`.
    case typed(contentType: String, count: Int)
    case drip(bytes: Int, milliseconds: Int)
    case closeEarly
    case reset
    case hang
    /// Fails the first `failures` requests for its exact URI with `status`, then answers 200.
    case flaky(failures: Int, status: Int, retryAfter: RetryAfter?)
    /// `/robots.txt`, answered as the server was told at start (``FixtureRobots``).
    case robots
    /// A gzip body that inflates to `size` bytes.
    case gzipBomb(size: Int)
    /// Echoes the request line and headers as text, so tests can see what a client sent.
    case headers
    // Hostile responses (``Route+Hostile.swift``): what a crawler meets on the open web.
    /// `Content-Length: 100`, then much more; the excess after `milliseconds` (0: at once).
    case overlong(milliseconds: Int)
    /// A chunked `text/html` body that never ends.
    case endless
    /// A response whose header block holds `lines` extra header lines of `bytes` in all.
    case hugeHeader(bytes: Int, lines: Int)
    /// A chunked body whose second chunk size is not hexadecimal.
    case badChunk
    /// A response head sent one byte every `milliseconds`.
    case trickleHeaders(milliseconds: Int)
    /// A 302 to itself.
    case redirectLoop
    /// `count` pseudo-random bytes (NULs included) from `seed`, labelled `text/html`.
    case binary(count: Int, seed: UInt64)
    /// A page whose title holds a NUL byte and bytes that are not UTF-8.
    case badTitle
    /// A page with `depth` nested `<div>`s around a link.
    case nested(depth: Int)
    /// A page of `count` distinct links.
    case links(count: Int)
    /// `/crawl/…` and `/robots.txt` on one of ``CrawlSite/hosts``: ``CrawlSite/page(host:path:port:)``.
    case crawl(host: String, path: String)
    /// `/gen/P/N.html`: page `index` of a ``GeneratedSite`` of `pages` pages.
    case generated(index: Int, pages: Int)
    // Routes for requests beyond GET (``Route+Requests.swift``).
    /// The request as JSON: method, URI, headers and body.
    case echo
    /// A 200 (or, with `to`, a 302 to `to`) that sets the cookies of the query's other pairs.
    case setCookie(cookies: [String], to: String?)
    /// A `code` redirect (301, 302, 303, 307, 308) to `/echo`.
    case redirectCode(code: Int)
    /// A page with an ETag (`"NAME-vN"`, N its version: ``FixtureServer/touch(_:)``) and a
    /// fixed Last-Modified, answering 304 to a request that has either.
    case conditional(name: String)
    /// 200 with the right Basic credentials, else 401 asking for them.
    case basicAuth(user: String, password: String)
    /// 200 with the right Digest (MD5, qop auth) credentials, else 401 asking for them.
    case digestAuth(user: String, password: String)
    case stats
    case statsReset
    case notFound

    /// The `Retry-After` a `/flaky` failure sends.
    enum RetryAfter: Equatable, Sendable {
        /// `Retry-After: N`, in delay-seconds.
        case seconds(Int)
        /// `Retry-After` as an HTTP-date this many seconds after the response is sent.
        case date(secondsAhead: Int)
    }

    /// Bounds waits so that `TimeAmount.milliseconds` cannot overflow: an hour is longer than any test.
    static let maxMilliseconds = 3_600_000
    /// The most failures a `/flaky` URI asks for: enough for any retry policy under test.
    static let maxFlakyFailures = 1000
    /// The longest `Retry-After` (about 31 years): any longer and a client's arithmetic is the
    /// thing under test, not its scheduler. Also keeps the HTTP-date's year at four digits.
    static let maxRetryAfterSeconds = 1_000_000_000
    /// The largest `/gzip-bomb` (a bit under 4 GiB, so the gzip trailer's 32-bit size is exact).
    static let maxGzipBombSize = 4_000_000_000

    /// `host` is the request's Host header name (lowercase, no port; ``HostHeader``): on a
    /// ``CrawlSite`` host, `/crawl/` and `/robots.txt` are that site's; elsewhere the host
    /// changes nothing.
    init(uri: String, host: String = "") {
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
        if CrawlSite.hosts.contains(host) && (parts[1] == "crawl" || path == "/robots.txt") {
            self = .crawl(host: host, path: String(path))
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
        case ("typed", 2): self = Route.typed(query)
        case ("drip", 2): self = Route.drip(query)
        case ("close-early", 2): self = .closeEarly
        case ("reset", 2): self = .reset
        case ("hang", 2): self = .hang
        case ("flaky", 2): self = Route.flaky(query)
        case ("robots.txt", 2): self = .robots
        case ("gzip-bomb", 3): self = Route.gzipBombSize(argument).map { .gzipBomb(size: $0) } ?? .notFound
        case ("headers", 2): self = .headers
        case ("overlong", 2), ("endless", 2), ("huge-header", 2), ("bad-chunk", 2), ("trickle-headers", 2),
             ("redirect-loop", 2), ("binary", 2), ("bad-title", 2), ("nested", 2), ("links", 2):
            self = Route.hostile(parts[1], query: query)
        case ("gen", 4): self = Route.generated(pages: parts[2], page: parts[3])
        case ("echo", 2): self = .echo
        case ("set-cookie", 2): self = Route.setCookie(query)
        case ("redirect-code", 3):
            self = Route.number(argument, in: 300...399).map { .redirectCode(code: $0) } ?? .notFound
        case ("etag", 3): self = Route.pageName(argument).map { .conditional(name: $0) } ?? .notFound
        case ("basic-auth", 4) where !parts[2].isEmpty, ("digest-auth", 4) where !parts[2].isEmpty:
            // Percent-decoded: a test can then name a password its URL does not spell out.
            guard let user = QueryString.percentDecode(parts[2]), let password = QueryString.percentDecode(parts[3]) else {
                self = .notFound
                return
            }
            self = parts[1] == "basic-auth" ? .basicAuth(user: user, password: password) : .digestAuth(user: user, password: password)
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

    static func number(_ text: (some StringProtocol)?, in range: ClosedRange<Int>) -> Int? {
        // Int("+5") parses; a route number is digits only.
        guard let text, !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard let value = Int(text), range.contains(value) else { return nil }
        return value
    }

    /// ``number(_:in:)`` without leading zeros, for names of pages: one page, one URL.
    static func canonicalNumber(_ text: (some StringProtocol)?, in range: ClosedRange<Int>) -> Int? {
        guard let text, text == "0" || !text.hasPrefix("0") else { return nil }
        return number(text, in: range)
    }

    private static func redirectTarget(_ query: Substring) -> String? {
        guard let url = QueryString.parameters(query)["url"], !url.isEmpty else { return nil }
        // A control character (CR, LF) in a header value would let a URL inject headers.
        guard !url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return url
    }

    /// The largest `/typed` body: it is built whole, in memory.
    static let maxTypedBytes = 16 << 20

    private static func typed(_ query: Substring) -> Route {
        let parameters = QueryString.parameters(query)
        let count = parameters["bytes"].map { number($0, in: 0...maxTypedBytes) } ?? 256
        // A control character (CR, LF) in a header value would let a query inject headers.
        guard let type = parameters["type"], !type.isEmpty, let count,
              !type.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return .notFound }
        return .typed(contentType: type, count: count)
    }

    private static func drip(_ query: Substring) -> Route {
        let parameters = QueryString.parameters(query)
        let bytes = parameters["bytes"].map { number($0, in: 0...Int.max) } ?? 10
        let milliseconds = parameters["ms"].map { number($0, in: 0...maxMilliseconds) } ?? 100
        guard let bytes, let milliseconds else { return .notFound }
        return .drip(bytes: bytes, milliseconds: milliseconds)
    }

    private static func flaky(_ query: Substring) -> Route {
        let parameters = QueryString.parameters(query)
        let failures = parameters["fail"].map { number($0, in: 0...maxFlakyFailures) } ?? 1
        let status = parameters["status"].map { number($0, in: 400...599) } ?? 503
        guard let failures, let status else { return .notFound }
        let retryAfter: RetryAfter?
        switch (parameters["retry-after"], parameters["retry-after-date"]) {
        case (nil, nil):
            retryAfter = nil
        case (let seconds?, nil):
            guard let seconds = number(seconds, in: 0...maxRetryAfterSeconds) else { return .notFound }
            retryAfter = .seconds(seconds)
        case (nil, let seconds?):
            guard let seconds = number(seconds, in: 0...maxRetryAfterSeconds) else { return .notFound }
            retryAfter = .date(secondsAhead: seconds)
        case (.some, .some):
            return .notFound  // two Retry-After forms at once: which one the test meant is unclear
        }
        return .flaky(failures: failures, status: status, retryAfter: retryAfter)
    }

    /// `/gen/P/N.html` with N < P ≤ ``GeneratedSite/maxPages``.
    private static func generated(pages: Substring, page: Substring) -> Route {
        guard page.hasSuffix(".html"), let pages = canonicalNumber(pages, in: 1...GeneratedSite.maxPages),
              let index = canonicalNumber(page.dropLast(".html".count), in: 0...(pages - 1))
        else { return .notFound }
        return .generated(index: index, pages: pages)
    }

    /// Digits with an optional `K`, `M` or `G` suffix (1024-based), within 1…``maxGzipBombSize``.
    private static func gzipBombSize(_ text: String?) -> Int? {
        guard let text else { return nil }
        var digits = Substring(text)
        let multiplier: Int
        switch digits.last {
        case "K": multiplier = 1 << 10
        case "M": multiplier = 1 << 20
        case "G": multiplier = 1 << 30
        default: multiplier = 1
        }
        if multiplier > 1 {
            digits = digits.dropLast()
        }
        // Both factors are at most about 2^32 and 2^30, so the product cannot overflow.
        guard let count = number(digits, in: 1...maxGzipBombSize), count * multiplier <= maxGzipBombSize else {
            return nil
        }
        return count * multiplier
    }
}
