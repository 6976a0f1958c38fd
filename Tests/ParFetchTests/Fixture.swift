import FixtureServer
import Foundation
import Testing
@testable import ParFetch

/// The in-process fixture server shared by tests that don't read its counters. Tests that
/// assert on `stats()` start their own with `Fixture.start()`.
enum Fixture {
    private static let shared = Task { try await start() }

    static func server() async throws -> FixtureServer {
        try await shared.value
    }

    static func start() async throws -> FixtureServer {
        try await FixtureServer.start(pagesDirectory: FixtureServer.defaultPagesDirectory)
    }

    /// Fetches `path` from the shared server with a fetcher of its own, configured by `configure`.
    static func fetch(_ path: String, _ configure: (inout FetchConfiguration) -> Void = { _ in }) async throws -> Response {
        let server = try await server()
        var configuration = FetchConfiguration()
        configure(&configuration)
        let fetcher = try Fetcher(configuration: configuration)
        defer { fetcher.shutdown() }
        return await fetcher.fetch(Request(url: server.baseURL + path))
    }

    static func page(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: FixtureServer.defaultPagesDirectory).appendingPathComponent(name))
    }

    /// How much slower than usual transfers may be: `make test-sanitize` sets
    /// PARFETCH_TEST_SLOWDOWN (a sanitizer slows the fixture server and the parser several times).
    static let slowdown = ProcessInfo.processInfo.environment["PARFETCH_TEST_SLOWDOWN"].flatMap(Double.init) ?? 1

    /// Runs a crawl over `lines` (a 5 s timeout per attempt, stretched by ``slowdown``, then
    /// `configure`) and returns the records, parsed, in output order.
    static func crawl(_ lines: [String], configure: (inout CrawlOptions) -> Void = { _ in }) throws -> [[String: Any]] {
        let directory = FileManager.default.temporaryDirectory
        let listPath = directory.appendingPathComponent("parfetch-crawl-\(UUID().uuidString).txt").path
        let outputPath = listPath + ".jsonl"
        defer {
            try? FileManager.default.removeItem(atPath: listPath)
            try? FileManager.default.removeItem(atPath: outputPath)
        }
        try lines.joined(separator: "\n").write(toFile: listPath, atomically: true, encoding: .utf8)
        var options = CrawlOptions()
        options.fetch.timeout = 5 * slowdown
        configure(&options)
        let writer = try RecordWriter(path: outputPath)
        try Crawl.run(list: try ListReader(path: listPath), writer: writer, options: options)
        #expect(writer.close() == nil)
        let text = try String(contentsOfFile: outputPath, encoding: .utf8)
        #expect(text.hasSuffix("\n") || text.isEmpty)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }
}

extension CheckedURL {
    /// A URL the test knows is valid (a typo stops the test at once).
    static func valid(_ text: String) -> CheckedURL {
        do {
            return try CheckedURL(text)
        } catch {
            preconditionFailure("\(text) does not check: \(error)")
        }
    }
}
