import FixtureServer
import Foundation
import Testing

/// A list split across runs with --shard: together the runs give every line exactly one record,
/// and each host is fetched by one run alone.
@Suite("parfetch --shard", .timeLimit(.minutes(2)))
struct ShardCommandTests {
    /// A list over five hosts of the fixture server, with bad lines, duplicates and comments.
    static func mixedList(port: Int) -> [String] {
        let hosts = ["127.0.0.1", "localhost", "a.localhost", "shop.a.localhost", "b.localhost"]
        var lines: [String] = ["# a mixed list", ""]
        for index in 0..<60 {
            lines.append("http://\(hosts[index % hosts.count]):\(port)/status/204?i=\(index % 45)")
        }
        lines += ["not a url", "ftp://example.test/", "http://", "  ", "# the end"]
        return lines
    }

    static func host(of url: String) -> String {
        URLComponents(string: url).map { "\($0.host ?? ""):\($0.port ?? 0)" } ?? url
    }

    @Test(arguments: [1, 2, 3, 7])
    func theShardsTogetherGiveEveryLineOneRecord(count: Int) async throws {
        let server = try await Fixture.server()
        let lines = Self.mixedList(port: server.port)
        let list = try TemporaryFile(lines.joined(separator: "\n") + "\n")
        var shardOfLine: [Int: Int] = [:]
        var shardsOfHost: [String: Set<Int>] = [:]
        for index in 0..<count {
            let result = try Parfetch.run(["--shard", "\(index)/\(count)", "--dedupe", "-j", "8", list.path])
            #expect(result.status == 0, "\(result.stderr)")
            for record in try Records(result.stdout).all {
                let line = try #require(record["line"] as? Int)
                #expect(shardOfLine.updateValue(index, forKey: line) == nil, "line \(line) is in two shards")
                #expect(record["url"] as? String == lines[line - 1].trimmingCharacters(in: .whitespaces))
                if record["attempts"] as? Int == 1 {
                    shardsOfHost[Self.host(of: lines[line - 1]), default: []].insert(index)
                }
            }
        }
        let expected = lines.indices.filter {
            let line = lines[$0].trimmingCharacters(in: .whitespaces)
            return !line.isEmpty && !line.hasPrefix("#")
        }.map { $0 + 1 }
        #expect(shardOfLine.keys.sorted() == expected)
        #expect(shardsOfHost.count == 5)
        #expect(shardsOfHost.values.allSatisfy { $0.count == 1 }, "\(shardsOfHost)")
    }

    @Test func byDomainASitesSubdomainsShareAShard() async throws {
        let server = try await Fixture.server()
        let lines = Self.mixedList(port: server.port)
        let list = try TemporaryFile(lines.joined(separator: "\n") + "\n")
        var shardsOfHost: [String: Set<Int>] = [:]
        for index in 0..<7 {
            let result = try Parfetch.run(["--shard", "\(index)/7", "--shard-by", "domain", list.path])
            for record in try Records(result.stdout).all where record["attempts"] as? Int == 1 {
                shardsOfHost[Self.host(of: record["url"] as! String), default: []].insert(index)
            }
        }
        let port = server.port
        #expect(shardsOfHost["a.localhost:\(port)"] != nil)
        #expect(shardsOfHost["a.localhost:\(port)"] == shardsOfHost["shop.a.localhost:\(port)"])
    }

    @Test(arguments: ["2/2", "-1/3", "1", "a/b", "0/0"])
    func aBadShardIsAUsageError(shard: String) throws {
        let result = try Parfetch.run(["--shard", shard, "list.txt"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--shard must be i/N"), "\(result.stderr)")
    }
}

/// `parfetch merge` of ordered shards: the unsharded --ordered output, record for record.
@Suite("parfetch merge", .timeLimit(.minutes(1)))
struct MergeCommandTests {
    /// A record without its timings, which differ from run to run.
    static func untimed(_ record: [String: Any]) -> NSDictionary {
        var record = record
        record["time"] = nil
        return record as NSDictionary
    }

    @Test func mergedShardsAreTheUnshardedOrderedOutput() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile(ShardCommandTests.mixedList(port: server.port).joined(separator: "\n") + "\n")
        let whole = try Parfetch.run(["--ordered", "--dedupe", "-j", "8", list.path])
        var shards: [TemporaryFile] = []
        for index in 0..<3 {
            let output = try TemporaryFile("")
            let run = try Parfetch.run(["--shard", "\(index)/3", "--ordered", "--dedupe", "-j", "8", "-o", output.path, list.path])
            #expect(run.status == 0)
            shards.append(output)
        }
        let merged = try Parfetch.run(["merge"] + shards.map(\.path))
        #expect(merged.status == 0, "\(merged.stderr)")
        let expected = try Records(whole.stdout).all.map(Self.untimed)
        let got = try Records(merged.stdout).all.map(Self.untimed)
        #expect(got == expected)
        #expect(merged.stderr.isEmpty)
    }

    @Test func aFileThatIsNotOurOutputIsRefusedAndNothingWritten() throws {
        let notes = try TemporaryFile("some important notes\n")
        let good = try TemporaryFile(#"{"line":1,"url":"http://a/","ok":true,"attempts":1}"# + "\n")
        let output = try TemporaryFile("")
        try FileManager.default.removeItem(atPath: output.path)
        let result = try Parfetch.run(["merge", "-o", output.path, good.path, notes.path])
        #expect(result.status == 2)
        #expect(result.stderr == "parfetch: cannot merge \(notes.path): line 1 is not a parfetch record with its line number first\n")
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(try Parfetch.run(["merge"]).status == 2)
    }
}
