import Foundation
import Testing

/// warcio and pywb, the WARC tools archives use, from the virtual environment that
/// `scripts/warc-tools.sh` makes (`make test` runs it): the tests check parfetch's WARC files
/// with them, not with a reader of our own.
enum WARCTools {
    static let bin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/warc-tools/bin")

    static func tool(_ name: String) throws -> URL {
        let url = bin.appendingPathComponent(name)
        try #require(FileManager.default.isExecutableFile(atPath: url.path),
                     "\(url.path) is missing: run scripts/warc-tools.sh (make test does)")
        return url
    }

    /// `warcio check` of `files`: exit status 0 when every digest verifies and every record reads.
    static func check(_ files: [String]) throws -> Parfetch.Result {
        try Parfetch.run(executable: tool("warcio"), ["check", "-v"] + files, limit: .seconds(120))
    }

    /// `warcio index` of `file`: each record's type, target, offset, length and truncation, in
    /// the file's order.
    static func index(_ file: String) throws -> [[String: String]] {
        let result = try Parfetch.run(
            executable: tool("warcio"),
            ["index", "-f", "warc-type,warc-target-uri,offset,length,warc-truncated,warc-concurrent-to,warc-record-id", file],
            limit: .seconds(120))
        #expect(result.status == 0, "\(result.stderr)")
        return try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String])
        }
    }

    /// Reads the record each JSON record's `warc` points at, with warcio from that offset:
    /// for each JSON record with `warc`, its line and what is there (type, target, status,
    /// the length read matching the pointer's).
    struct Found: Sendable {
        var type: String?
        var target: String?
        var status: Int?
        var truncated: String?
        /// The record's length as warcio read it.
        var length: Int?
    }

    static func resolve(_ outputPath: String) throws -> [Int: Found] {
        let script = """
            import json, sys
            from warcio.archiveiterator import ArchiveIterator
            found = {}
            for line in open(sys.argv[1]):
                record = json.loads(line)
                pointer = record.get("warc")
                if not pointer:
                    continue
                with open(pointer["file"], "rb") as f:
                    f.seek(pointer["offset"])
                    iterator = ArchiveIterator(f)
                    warc = next(iterator)
                    iterator.read_to_end(warc)
                    found[record["line"]] = {
                        "type": warc.rec_type,
                        "target": warc.rec_headers.get_header("WARC-Target-URI"),
                        "status": int(warc.http_headers.get_statuscode()) if warc.http_headers else None,
                        "truncated": warc.rec_headers.get_header("WARC-Truncated"),
                        "length": iterator.get_record_length(),
                    }
            print(json.dumps(found))
            """
        let result = try Parfetch.run(executable: tool("python"), ["-c", script, outputPath], limit: .seconds(120))
        #expect(result.status == 0, "\(result.stderr)")
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Any]])
        return Dictionary(uniqueKeysWithValues: decoded.map { line, found in
            (Int(line)!, Found(type: found["type"] as? String, target: found["target"] as? String,
                               status: found["status"] as? Int, truncated: found["truncated"] as? String,
                               length: found["length"] as? Int))
        })
    }
}
