import FixtureServer
import Foundation

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

    static func page(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: FixtureServer.defaultPagesDirectory).appendingPathComponent(name))
    }
}
