import FixtureServer
import Foundation
import Testing

/// `--format csv` and `--fields`, run as a user would, the output read back by Python's `csv`
/// and `json` modules.
@Suite("output formats", .timeLimit(.minutes(1)))
struct FormatTests {
    static let rules = ["--select", "note=p.note::text", "--select", "none=.nothing", "--xpath", "h1=//h1"]

    /// Every leaf field, in an order unlike the record's.
    static let allColumns = [
        "error.message", "links", "url", "line", "time.ttfb", "time.tls", "time.connect", "time.dns", "time.total",
        "extract.h1", "extract.note", "extract.none", "links_count", "title", "description", "lang", "canonical",
        "final_url", "status", "ok", "content_type", "bytes", "http_version", "redirects", "attempts",
        "duplicate_of", "error.kind",
    ]

    /// A list with a page whose cells need quoting (commas, quotes, CR and LF), plain text, an
    /// HTTP error, a redirect, a refused connection, a duplicate and lines that are not URLs.
    static func list(_ server: FixtureServer) throws -> TemporaryFile {
        try TemporaryFile("""
            \(server.baseURL)/page/quoting.html
            \(server.baseURL)/page/about.txt
            # a comment
            not a url
            \(server.baseURL)/status/404
            \(server.baseURL)/redirect/2
            http://127.0.0.1:1/
            ftp://example.test/file
            \(server.baseURL)/page/about.txt
            \(server.baseURL)/page/products.html

            """)
    }

    /// Runs parfetch on `list` writing to a file; returns the file's text.
    static func output(_ list: TemporaryFile, _ arguments: [String]) throws -> String {
        let output = try TemporaryFile("")
        let result = try Parfetch.run(["-q", "--retries", "0", "--dedupe"] + rules + arguments + ["-o", output.path, list.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        return try String(contentsOfFile: output.path, encoding: .utf8)
    }

    /// The cell the JSON record's value should have been flattened to (time values aside:
    /// they differ between runs).
    static func expectedCell(_ column: String, in record: [String: Any]) -> String {
        let parts = column.split(separator: ".", maxSplits: 1).map(String.init)
        switch column {
        case "ok": return record["ok"] as? Bool == true ? "true" : "false"
        case "links": return (record["links"] as? [String]).map { $0.joined(separator: " | ") } ?? ""
        case "links_count": return (record["links"] as? [String]).map { "\($0.count)" } ?? ""
        default: break
        }
        var value: Any? = record[parts[0]]
        if parts.count == 2 { value = (value as? [String: Any])?[parts[1]] }
        switch value {
        case nil: return ""
        case let strings as [String]: return strings.joined(separator: " | ")
        case let number as Int: return "\(number)"
        case let string as String: return string
        default: return "\(value!)"
        }
    }

    /// The connect error's message says how many milliseconds it took.
    static func withoutTimes(_ message: String) -> String {
        message.replacing(/after \d+ ms/, with: "after N ms")
    }

    @Test func csvHoldsTheSameValuesAsJSONLines() async throws {
        let server = try await Fixture.server()
        let list = try Self.list(server)
        let json = try Records(try Self.output(list, ["--format", "jsonl"]))
        #expect(json.lines == [1, 2, 4, 5, 6, 7, 8, 9, 10])

        for fields in [nil, Self.allColumns.joined(separator: ",")] {
            let csv = try Self.output(list, ["--format", "csv"] + (fields.map { ["--fields", $0] } ?? []))
            #expect(csv.hasSuffix("\r\n"))
            let rows = try Python.csvRows(csv)
            let header = try #require(rows.first)
            if fields == nil {
                #expect(header == [
                    "line", "url", "final_url", "status", "ok", "content_type", "bytes", "http_version", "redirects",
                    "attempts", "duplicate_of", "time.total", "time.dns", "time.connect", "time.tls", "time.ttfb",
                    "title", "description", "lang", "canonical", "links_count", "extract.note", "extract.none",
                    "extract.h1", "error.kind", "error.message",
                ])
            } else {
                #expect(header == Self.allColumns)
            }
            #expect(rows.count == json.all.count + 1)
            for row in rows.dropFirst() {
                #expect(row.count == header.count)
                let cells = Dictionary(uniqueKeysWithValues: zip(header, row))
                let line = try #require(Int(cells["line"] ?? ""))
                let record = try #require(json[line])
                for (column, cell) in cells {
                    if column.hasPrefix("time.") {
                        #expect(cell.isEmpty || cell.wholeMatch(of: /\d+\.\d{6}/) != nil, "line \(line) \(column): \(cell)")
                        if column == "time.total" { #expect(cell.isEmpty == (record["time"] == nil)) }
                    } else if column == "error.message" {
                        #expect(Self.withoutTimes(cell) == Self.withoutTimes(Self.expectedCell(column, in: record)))
                    } else {
                        #expect(cell == Self.expectedCell(column, in: record), "line \(line) \(column)")
                    }
                }
            }
            // The page did exercise the quoting: its cells hold what would break a row.
            let lineColumn = try #require(header.firstIndex(of: "line"))
            let page = try #require(rows.first { $0[lineColumn] == "1" })
            let joined = page.joined()
            for needle in [",", "\"", "\n", "\r"] { #expect(joined.contains(needle), "no \(needle.debugDescription)") }
        }
    }

    @Test func jsonLinesWithFieldsKeepTheRecordsShape() async throws {
        let server = try await Fixture.server()
        let list = try Self.list(server)
        let text = try Self.output(list, ["--fields", "url,time.total,error.kind,links_count,extract.note"])
        #expect(try Python.run(Python.readJSONLines, stdin: text).status == 0)
        let records = try Records(text)
        #expect(records.all.count == 9)
        for record in records.all {
            #expect(Set(record.keys).isSubset(of: ["url", "time", "error", "links_count", "extract"]))
            if let time = record["time"] as? [String: Any] { #expect(Array(time.keys) == ["total"]) }
            if let error = record["error"] as? [String: Any] { #expect(Array(error.keys) == ["kind"]) }
        }
        let page = try #require(records.all.first { ($0["url"] as? String)?.hasSuffix("quoting.html") == true })
        #expect(page["links_count"] as? Int == 3)
        #expect((page["extract"] as? [String: [String]])?.keys.sorted() == ["note"])
        // Keys in the record's order, whatever the order of --fields.
        let first = try #require(text.split(separator: "\n").first { $0.contains("quoting.html") })
        #expect(first.hasPrefix(#"{"url":"#))
        #expect(first.firstRange(of: #""time":"#)!.lowerBound < first.firstRange(of: #""links_count":"#)!.lowerBound)
    }

    @Test func defaultJSONLinesAreValidJSON() async throws {
        let server = try await Fixture.server()
        let text = try Self.output(try Self.list(server), [])
        let check = try Python.run(Python.readJSONLines, stdin: text)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout == "9\n")
    }

    @Test(arguments: [
        (["--fields", "bogus"], "parfetch: --fields: unknown field 'bogus'; valid fields: line, url, final_url, status, ok, "),
        (["--fields", "url,extract.price"], "parfetch: --fields: unknown field 'extract.price': no --select or --xpath rule is named 'price'"),
        (["--fields", "url,,status"], "parfetch: --fields: empty field name"),
        (["--fields", "time,time.total"], "parfetch: --fields: field 'time.total' is selected twice"),
        (["--format", "xml"], "parfetch: The value 'xml' is invalid for '--format <format>'"),
        (["--resume", "--format", "csv", "-o", "/tmp/fmt-never-written.csv"],
         "parfetch: --resume and --resume-failed read back JSON Lines records: they can't be used with --format csv"),
        (["--resume-failed", "--fields", "line,url,error.message", "-o", "/tmp/fmt-never-written.jsonl"],
         "parfetch: --resume and --resume-failed need line, url and error (or error.kind) in --fields, to tell which lines are done; missing: error.kind"),
    ])
    func badFormatUsageExitsTwo(arguments: [String], message: String) throws {
        let list = try TemporaryFile("http://127.0.0.1:1/\n")
        let result = try Parfetch.run(arguments + [list.path])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/fmt-never-written.csv"))
    }

    @Test func theValidNamesAreListedOnOneLine() throws {
        let list = try TemporaryFile("http://127.0.0.1:1/\n")
        let result = try Parfetch.run(["--select", "price=span.price", "--fields", "bogus", list.path])
        let first = try #require(result.stderr.split(separator: "\n").first)
        #expect(first.hasSuffix("links, links_truncated, links_count, extract, extract.NAME (NAME: price), saved, retry_after, warc, warc.file, warc.offset, warc.length, error, error.kind, error.message"))
    }

    @Test func resumeWithTheFieldsItNeedsWorks() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile((1...6).map { "\(server.baseURL)/status/200?i=\($0)" }.joined(separator: "\n"))
        let output = try TemporaryFile("")
        let arguments = ["--fields", "line,url,error", "-o", output.path, list.path]
        #expect(try Parfetch.run(arguments).status == 0)
        let again = try Parfetch.run(["--resume", "-q"] + arguments)
        #expect(again.status == 0)
        #expect(again.stderr == "parfetch: resuming \(output.path): 6 lines done\n")
        #expect(try Records(String(contentsOfFile: output.path, encoding: .utf8)).lines == Array(1...6))
    }
}

/// Python 3 as a child process, to read the output with the standard library's own parsers.
enum Python {
    /// Reads JSON Lines from standard input and prints how many there were.
    static let readJSONLines = "import json, sys; print(len([json.loads(line) for line in sys.stdin]))"

    /// Runs `python3 -c script`, killed after `limit`.
    static func run(
        _ script: String, arguments: [String] = [], stdin: String = "", limit: Duration = .seconds(10)
    ) throws -> Parfetch.Result {
        try Parfetch.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + arguments,
                         stdin: stdin, limit: limit)
    }

    /// The rows of `csv` as Python's `csv.reader` reads them (from a file opened with
    /// `newline=""`, as its documentation asks).
    static func csvRows(_ csv: String) throws -> [[String]] {
        let file = try TemporaryFile(csv)
        let result = try run("""
            import csv, json, sys
            with open(sys.argv[1], newline="", encoding="utf-8") as f:
                print(json.dumps(list(csv.reader(f, strict=True))))
            """, arguments: [file.path])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String]])
    }
}
