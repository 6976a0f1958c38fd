import FixtureServer
import Foundation
import Testing

/// `-v`: libcurl's trace of the first transfers on standard error, as curl -v shows it, with
/// no credentials in it.
@Suite("verbose trace")
struct VerboseTests {
    @Test func theFirstTenTransfersAreTracedWithoutTheirCredentials() async throws {
        let server = try await Fixture.server()
        let urls = (0..<14).map { "http://carol:hunter2@127.0.0.1:\(server.port)/redirect/1?n=\($0)" }
        let run = try await blocking { try Parfetch.run(["-v", "-q", "-j", "1", "-u", "alice:s3cret-pw"] + urls) }
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n")
        let numbers = Set(lines.compactMap { line -> Int? in
            guard line.hasPrefix("["), let end = line.firstIndex(of: "]") else { return nil }
            return Int(line[line.index(after: line.startIndex)..<end])
        })
        #expect(numbers == Set(1...10), "\(numbers.sorted())")
        #expect(lines.contains { $0.hasPrefix("[1] > GET /redirect/1?n=0 HTTP/1.1") })
        #expect(lines.contains { $0.hasPrefix("[1] < HTTP/1.1 302") })
        #expect(lines.contains { $0.hasPrefix("[1] > GET /redirect/0 HTTP/1.1") }, "the redirect's hop is traced too")
        #expect(lines.contains { $0 == "[1] > Authorization: Basic ***" })
        // Neither password, nor the Basic credentials they make, anywhere.
        let basic = Data("alice:s3cret-pw".utf8).base64EncodedString()
        for secret in ["s3cret-pw", "hunter2", basic] {
            #expect(!run.stderr.contains(secret), "\(secret) in the trace")
        }
        // Without -v there is no trace.
        let quiet = try await blocking { try Parfetch.run(["-q", urls[0]]) }
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
    }
}
