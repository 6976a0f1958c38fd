import FixtureServer
import Foundation
import Testing

/// `--save-dir`, through the built binary.
@Suite("parfetch --save-dir", .timeLimit(.minutes(1)))
struct SaveDirTests {
    /// A directory for one test, removed with the value.
    final class Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("save-e2e-\(UUID().uuidString)").path

        deinit {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    @Test func savesBodiesWithoutParsing() async throws {
        let server = try await Fixture.server()
        let scratch = Scratch()
        let dir = scratch.path + "/bodies"
        let list = try TemporaryFile("""
            \(server.baseURL)/page/index.html
            \(server.baseURL)/page/about.txt
            \(server.baseURL)/status/404

            """)
        let result = try Parfetch.run(["-q", "--no-parse", "--save-dir", dir, list.path])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let records = try Records(result.stdout)
        let host = "127.0.0.1:\(server.port)"
        for (line, name, ext) in [(1, "index.html", "html"), (2, "about.txt", "txt")] {
            let saved = try #require(records[line]?["saved"] as? String)
            #expect(saved.hasPrefix(host + "/") && saved.hasSuffix("." + ext))
            let expected = try Data(contentsOf: URL(fileURLWithPath: FixtureServer.defaultPagesDirectory + "/" + name))
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + saved)) == expected)
            #expect(records[line]?["links"] == nil)
        }
        #expect(records[3]?["saved"] == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/" + host).count == 2)
        // The key's place: after the page fields and before error, i.e. last here.
        let first = result.stdout.split(separator: "\n").first { $0.contains("index.html") } ?? ""
        #expect(first.hasSuffix(#","saved":"\#(try #require(records[1]?["saved"] as? String))"}"#))
    }

    @Test func anUnusableDirectoryFailsTheRunBeforeAnythingElse() async throws {
        let server = try await Fixture.server()
        let scratch = Scratch()
        let output = scratch.path + "-records.jsonl"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let probe = "/page/index.html?probe=\(UUID().uuidString)"
        let list = try TemporaryFile("\(server.baseURL)\(probe)\n")
        // Not writable even for root.
        let result = try Parfetch.run(["--save-dir", "/proc/self", "-o", output, list.path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("parfetch: --save-dir: cannot write in directory /proc/self: "))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(!server.requestLog().contains { $0.uri == probe })

        let empty = try Parfetch.run(["--save-dir", "", list.path])
        #expect(empty.status == 2)
        #expect(empty.stderr.hasPrefix("parfetch: --save-dir needs a directory"))
    }

    @Test func helpDescribesTheFlag() throws {
        let help = try Parfetch.run(["--help"])
        #expect(help.stdout.contains("--save-dir <dir>"))
        #expect(help.stdout.contains("DIR/HOST/HASH.EXT"))
    }
}
