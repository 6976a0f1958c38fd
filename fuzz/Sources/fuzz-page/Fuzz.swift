import FuzzSupport
@testable import ParFetch

/// A whole page parse, as a parse worker runs it: the input's first line is the response's
/// Content-Type (empty: none), its second the final URL (empty: a default), the rest the body.
///
/// Invariants: decoding yields valid UTF-8; a page is returned exactly when the body is
/// HTML; every rule gets its extract entry, in order; strings are valid UTF-8; links and the
/// canonical URL are absolute http(s) without a fragment, links de-duplicated; and wherever
/// the fast link resolution answers, it agrees with libcurl (the reference resolver).
private let rules = [
    try! ExtractionRule(name: "links", css: "a::attr(href)"),
    try! ExtractionRule(name: "text", css: "title::text, p"),
    try! ExtractionRule(name: "count", xpath: "count(//*)"),
]
// libFuzzer runs inputs one at a time on one thread: parser and resolvers are not shared.
nonisolated(unsafe) private let parser = PageParser(rules: rules)
nonisolated(unsafe) private let fast = URLResolver()
nonisolated(unsafe) private let reference = URLResolver(fastPath: false)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var lines = UnsafeBufferPointer(start: data, count: size).split(separator: 0x0A, maxSplits: 2,
                                                                    omittingEmptySubsequences: false)[...]
    let contentType = lines.popFirst().flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
    let finalURL = lines.popFirst().flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
        ?? "http://example.com/dir/page.html"
    let body = lines.popFirst().map(Array.init) ?? []

    let detected = body.withUnsafeBytes { Charset.detect($0, contentType: contentType) }
    let decoded = body.withUnsafeBytes { Charset.decodeIfNeeded($0, from: detected.encoding) }
    invariant(String(validating: decoded ?? body, as: UTF8.self) != nil,
              "\(detected.encoding) decoding gave invalid UTF-8")

    let response = Response(url: finalURL, finalURL: finalURL, status: 200, contentType: contentType,
                            bytes: body.count, body: body)
    guard let page = parser.parse(response) else {
        invariant(!PageParser.isHTML(contentType: contentType, body: body), "an HTML body gave no page")
        return 0
    }
    for text in [page.title, page.description, page.lang, page.canonical].compactMap({ $0 }) {
        invariant(isValidUTF8(text), "a page field is not valid UTF-8")
    }
    invariant(page.extract.map(\.name) == rules.map(\.name),
              "extract entries \(page.extract.map(\.name)), rules \(rules.map(\.name))")
    for entry in page.extract {
        invariant(entry.values.allSatisfy(isValidUTF8), "\(entry.name) has invalid UTF-8")
    }
    for link in page.links + [page.canonical].compactMap({ $0 }) {
        invariant(isValidUTF8(link), "a link is not valid UTF-8")
        invariant(link.hasPrefix("http://") || link.hasPrefix("https://"), "link \(link) is not absolute http(s)")
        invariant(!link.contains("#"), "link \(link) keeps its fragment")
    }
    invariant(Set(page.links).count == page.links.count, "links repeat")

    // Fast path against libcurl, for the same base the parser used.
    let html = decoded ?? body
    let scanned = html.withUnsafeBufferPointer { PageScanner.scan($0) }
    guard fast.setBase(finalURL), reference.setBase(finalURL) else { return 0 }
    if let base = scanned.base, let absolute = reference.resolve(base) {
        invariant(fast.resolve(base) == absolute, "base \(base): fast \(fast.resolve(base) ?? "nil"), libcurl \(absolute)")
        fast.setBase(absolute)
        reference.setBase(absolute)
    }
    for link in scanned.links + [scanned.canonical].compactMap({ $0 }) {
        let expected = reference.resolve(link)
        let got = fast.resolve(link)
        invariant(got == expected, "link \(link) against \(finalURL): fast \(got ?? "nil"), libcurl \(expected ?? "nil")")
    }
    return 0
}
