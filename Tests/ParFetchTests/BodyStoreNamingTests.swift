import Foundation
import Testing
@testable import ParFetch

/// The parts of a saved body's path: extension table, host directory names, file names.
@Suite("Body store: names")
struct BodyStoreNamingTests {
    @Test(arguments: [
        ("text/html", "html"),
        ("text/html; charset=utf-8", "html"),
        ("  TEXT/HTML ;charset=x", "html"),
        ("application/xhtml+xml", "xhtml"),
        ("text/plain", "txt"),
        ("application/json", "json"),
        ("text/css", "css"),
        ("application/javascript", "js"),
        ("text/javascript; charset=utf-8", "js"),
        ("image/png", "png"),
        ("image/jpeg", "jpg"),
        ("image/gif", "gif"),
        ("image/webp", "webp"),
        ("image/svg+xml", "svg"),
        ("application/pdf", "pdf"),
        ("application/xml", "xml"),
        ("text/xml", "xml"),
        ("text/csv", "csv"),
        ("application/octet-stream", "bin"),
        ("image/x-icon", "bin"),
        ("", "bin"),
        (";", "bin"),
        ("text/html/../../x", "bin"),
        ("../../etc/passwd", "bin"),
        ("html", "bin"),
    ])
    func extensionComesFromTheTable(contentType: String, expected: String) {
        #expect(SavedFileExtension.forContentType(contentType) == expected)
    }

    @Test func noContentTypeIsBin() {
        #expect(SavedFileExtension.forContentType(nil) == "bin")
    }

    @Test(arguments: [
        "example.com", "example.com:8080", "127.0.0.1:8765", "[::1]:8080", "a..b.localhost:8080",
        "..localhost", "..:8080", "...", "xn--bcher-kva.example", "bücher.example", "-", String(repeating: "a", count: 255),
    ])
    func safeHostNames(name: String) {
        #expect(HostDirectoryName.isValid(name))
    }

    @Test(arguments: [
        "", ".", "..", "/", "../etc", "a/b", "a/../../b", "/etc", "a\0b", "\0", "a\nb", "a\tb", "a\u{7F}b",
        "\u{1B}[31m", String(repeating: "a", count: 256), String(repeating: "é", count: 128),
    ])
    func unsafeHostNames(name: String) {
        #expect(!HostDirectoryName.isValid(name))
    }

    @Test func fileNameIsSixteenHexDigitsOfTheURLsHashAndTheTablesExtension() {
        // sha256("http://example.com/") starts 2a1b402420ef4657 (Python's hashlib).
        #expect(BodyStore.fileName(url: "http://example.com/", contentType: "text/html; charset=utf-8")
            == "2a1b402420ef4657.html")
        #expect(BodyStore.fileName(url: "http://example.com/", contentType: nil) == "2a1b402420ef4657.bin")
        // The URL text itself never shows.
        let name = BodyStore.fileName(url: "http://x/../../etc/passwd", contentType: "text/plain")
        #expect(name.count == 20)
        #expect(name.hasSuffix(".txt"))
        #expect(name.prefix(16).allSatisfy { "0123456789abcdef".contains($0) })
    }

    /// The host part as libcurl parses it: lower-cased, the port only when not the default.
    @Test(arguments: [
        ("http://Example.COM/x", "example.com"),
        ("http://example.com:80/", "example.com"),
        ("https://example.com:443/", "example.com"),
        ("http://example.com:8080/a", "example.com:8080"),
        ("https://example.com:80/", "example.com:80"),
        ("http://127.0.0.1:8765/page/index.html", "127.0.0.1:8765"),
        ("http://[::1]:8080/", "[::1]:8080"),
        ("http://a..b.localhost:8080/", "a..b.localhost:8080"),
        // A name, not a way up: one component that happens to start with two dots.
        ("http://%2E%2e:8080/x", "..:8080"),
        ("http://user:pw@example.com/", "example.com"),
        ("not a url", ""),
    ])
    func hostDirectoryOfURL(url: String, expected: String) {
        #expect(BodyStore.hostDirectory(forURL: url) == expected)
    }

    /// Hosts libcurl 7.88 parses that must never become directories: it accepts `..` and
    /// `.` as host names, and decodes `%2e%2e` to `..`; it refuses `%2f`. The store refuses
    /// each of them before writing anything.
    @Test(arguments: [
        ("http://../x", ".."), ("http://./x", "."), ("http://%2e%2e/x", ".."),
        ("http://a%2fb/x", ""), ("http://..%2f..%2fetc/x", ""),
    ])
    func hostileHostsAreRefused(url: String, host: String) throws {
        #expect(BodyStore.hostDirectory(forURL: url) == host)
        let scratch = try ScratchDirectory()
        let store = try BodyStore(directory: scratch.path)
        // The store reads the response's URL; some of these the list reader would refuse.
        let item = ListItem(line: 1, text: url, target: .failure(FetchError(.other, "not checked")))
        var record = Record(item: item,
                            response: Response(url: url, status: 200, contentType: "text/html", body: Array("x".utf8)))
        store.save(Response(url: url, status: 200, contentType: "text/html", body: Array("x".utf8)), into: &record)
        #expect(record.saved == nil)
        #expect(record.error?.kind == .other)
        #expect(record.error?.message.hasPrefix("save failed: host ") == true)
        #expect(record.ok)
        #expect(record.status == 200)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
    }
}
