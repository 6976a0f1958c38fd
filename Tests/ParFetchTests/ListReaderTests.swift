import Foundation
import Testing
@testable import ParFetch

@Suite("List reader")
struct ListReaderTests {
    /// Reads every item from a temporary file holding `bytes`.
    func items(_ bytes: [UInt8]) throws -> [ListItem] {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("parfetch-list-\(UUID().uuidString).txt").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try ListReader(path: path)
        var result: [ListItem] = []
        while let item = try reader.next() { result.append(item) }
        return result
    }

    func items(_ text: String) throws -> [ListItem] {
        try items(Array(text.utf8))
    }

    @Test func skipsBlankAndCommentLinesAndKeepsLineNumbers() throws {
        let result = try items("# header\n\nhttp://a.test/1\n   \n\t# indented comment\nhttps://b.test/2\n")
        #expect(result.map(\.line) == [3, 6])
        #expect(result.map(\.text) == ["http://a.test/1", "https://b.test/2"])
    }

    @Test func ignoresBOMCRLFAndSurroundingWhiteSpace() throws {
        let result = try items([0xEF, 0xBB, 0xBF] + Array("  http://a.test/x \t\r\nhttp://b.test/\r\n".utf8))
        #expect(result.map(\.text) == ["http://a.test/x", "http://b.test/"])
        #expect(result.allSatisfy { (try? $0.target.get()) != nil })
    }

    @Test func lastLineWithoutNewline() throws {
        let result = try items("http://a.test/1\nhttp://a.test/2")
        #expect(result.map(\.text) == ["http://a.test/1", "http://a.test/2"])
    }

    @Test func emptyFileHasNoItems() throws {
        #expect(try items("").isEmpty)
        #expect(try items("\n\n# only comments\n").isEmpty)
    }

    @Test(arguments: [
        ("ftp://example.test/file", "unsupported_scheme"),
        ("mailto:someone@example.test", "unsupported_scheme"),
        ("javascript:alert(1)", "unsupported_scheme"),
        ("example.test/page", "invalid_url"),
        ("//example.test/page", "invalid_url"),
        ("not a url", "invalid_url"),
        ("http://", "invalid_url"),
        ("http://[::1/", "invalid_url"),
        ("https://exa mple.test/", "invalid_url"),
    ])
    func rejectsWhatCannotBeFetched(line: String, kind: String) throws {
        let result = try items(line + "\n")
        #expect(result.count == 1)
        let error = try #require(result.first.flatMap { item -> FetchError? in
            if case .failure(let error) = item.target { return error }
            return nil
        })
        #expect(error.kind.description == kind)
        #expect(!error.message.isEmpty)
    }

    /// Each line is checked on its own: libcurl would read a relative reference against the
    /// URL its handle held before.
    @Test func aLineIsNeverReadAgainstThePreviousOne() throws {
        let result = try items("ftp://example.test/a/\nnot a url\nhttp://a.test/b/\nx/y\n?q\n")
        #expect(result.map { item in item.url?.absolute ?? (try? item.target.get())?.absolute ?? "refused" }
            == ["refused", "refused", "http://a.test/b/", "refused", "refused"])
        #expect(result.compactMap { if case .failure(let error) = $0.target { error.kind.description } else { nil } }
            == ["unsupported_scheme", "invalid_url", "invalid_url", "invalid_url"])
    }

    /// The record keeps the line as given; the target is libcurl's spelling of it, which is
    /// what it fetches. The host key is host name and port.
    @Test(arguments: [
        ("HTTP://Example.TEST/a?b=c#frag", "http://Example.TEST/a?b=c#frag", "example.test:80"),
        ("https://example.test", "https://example.test/", "example.test:443"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x", "127.0.0.1:8080"),
        ("http://[::1]:80/", "http://[::1]:80/", "[::1]:80"),
        ("http:/example.test/x", "http://example.test/x", "example.test:80"),
        ("https://xn--bcher-kva.example/ünïcode?q=ä", "https://xn--bcher-kva.example/ünïcode?q=ä", "xn--bcher-kva.example:443"),
        // Found by fuzz-list-line: libcurl respells in steps (%33 → 3 → 0.0.0.3); the target is
        // where that settles, as libcurl would otherwise fetch a host other than the key.
        ("http:/%33", "http://0.0.0.3/", "0.0.0.3:80"),
        ("http://%33/x", "http://0.0.0.3/x", "0.0.0.3:80"),
    ])
    func acceptsFetchableURLs(line: String, target: String, host: String) throws {
        let result = try items(line + "\n")
        #expect(try result.first?.target.get().absolute == target)
        #expect(result.first?.text == line)
        #expect(result.first?.url?.hostKey == host)
    }

    @Test func invalidUTF8IsAnErrorNotACrash() throws {
        let result = try items(Array("http://a.test/".utf8) + [0xFF, 0xFE, 0x0A] + Array("http://b.test/\n".utf8))
        #expect(result.count == 2)
        guard case .failure(let error) = result[0].target else {
            Issue.record("invalid UTF-8 was accepted")
            return
        }
        #expect(error.kind == .invalidURL)
        #expect(result[0].text == "http://a.test/\u{FFFD}\u{FFFD}")
        #expect(try result[1].target.get().absolute == "http://b.test/")
    }

    @Test func overlongLineIsReportedWithoutKeepingIt() throws {
        let long = "http://a.test/" + String(repeating: "x", count: ListReader.maximumLineLength * 3)
        let result = try items(long + "\nhttp://b.test/\n")
        #expect(result.count == 2)
        #expect(result[0].line == 1)
        if case .failure(let error) = result[0].target {
            #expect(error.kind == .invalidURL)
        } else {
            Issue.record("an overlong line was accepted")
        }
        #expect(result[0].text.hasPrefix("http://a.test/xxx") && result[0].text.hasSuffix("…"))
        #expect(result[0].text.utf8.count < 300)
        #expect(result[1].line == 2)
    }

    @Test func overlongCommentIsStillAComment() throws {
        let comment = "# " + String(repeating: "c", count: ListReader.maximumLineLength * 2)
        let result = try items(comment + "\nhttp://b.test/\n")
        #expect(result.map(\.line) == [2])
    }

    /// Found by fuzz-list-line: the part of an overlong line kept for its record was its first
    /// 200 bytes, so a line starting with more white space than that looked blank and got no
    /// record at all. Within one buffer and across several, and after the BOM.
    @Test(arguments: [1_000, ListReader.maximumLineLength + 1, 300_000])
    func overlongLineAfterLongWhiteSpaceStillGetsARecord(spaces: Int) throws {
        let line = String(repeating: " ", count: spaces) + "http://a.test/" + String(repeating: "x", count: ListReader.maximumLineLength)
        for prefix in [[], [0xEF, 0xBB, 0xBF]] as [[UInt8]] {
            let bytes = prefix + Array((line + "\n\t" + line.replacingOccurrences(of: "http", with: "#http") + "\nhttp://b.test/\n").utf8)
            let result = try items(bytes)
            #expect(result.map(\.line) == [1, 3])
            #expect(result.first?.text.hasPrefix("http://a.test/xxx") == true)
            if case .success = result.first?.target { Issue.record("an overlong line was accepted") }
        }
    }

    /// Found by fuzz-list-line after the fix above: on the first line, the kept part began
    /// at a second BOM after the white space, which the reader then removed as the list's own,
    /// so the line looked blank again.
    @Test func overlongFirstLineStartingWithTwoBOMsStillGetsARecord() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let spaces = [UInt8](repeating: 0x20, count: ListReader.maximumLineLength + 10)
        let result = try items(bom + [0x20] + bom + spaces + Array("http://a.test/\nhttp://b.test/\n".utf8))
        #expect(result.map(\.line) == [1, 2])
        #expect(result.first?.text.hasPrefix("\u{FEFF}") == true)
    }

    /// The progress total counts what the reader yields. Found by fuzz-list-line: a file that
    /// ends inside what could have been a BOM (its first one or two bytes) counted no entry,
    /// though the reader gives that line a record.
    @Test(arguments: [
        [0xEF], [0xEF, 0xBB], [0xEF, 0xBB, 0xBF], [0xEF, 0x0A], [0xEF, 0xBB, 0x20, 0x0A, 0x23],
        [0xEF, 0xBB, 0xBF, 0x20, 0x23, 0x0A, 0x68], [0x20, 0xEF, 0xBB, 0xBF],
    ] as [[UInt8]])
    func countEntriesAgreesWithTheReader(bytes: [UInt8]) throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("parfetch-count-\(UUID().uuidString).txt").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(ListReader.countEntries(path: path) == (try items(bytes)).count)
    }

    @Test func nulByteIsRejectedNotTruncated() throws {
        let result = try items(Array("http://a.test/x".utf8) + [0] + Array("y\n".utf8))
        guard case .failure(let error) = result.first?.target else {
            Issue.record("a line with NUL was accepted")
            return
        }
        #expect(error.kind == .invalidURL)
    }

    @Test func readsLinesSpanningManyBuffers() throws {
        // Enough lines to cross the reader's buffer several times.
        let count = 50_000
        let text = (1...count).map { "http://a.test/\($0)" }.joined(separator: "\n")
        let result = try items(text)
        #expect(result.count == count)
        #expect(result.last?.text == "http://a.test/\(count)")
        #expect(result.enumerated().allSatisfy { $0.element.line == $0.offset + 1 })
    }

    @Test func missingFileThrowsAClearError() {
        #expect(throws: ListReaderError.self) { try ListReader(path: "/nonexistent/parfetch/list.txt") }
        #expect(throws: ListReaderError.self) { try ListReader(path: "/") }
    }
}
