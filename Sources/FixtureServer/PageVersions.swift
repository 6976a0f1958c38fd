import NIOConcurrencyHelpers

/// The version of each `/etag/NAME` page (1 until touched). Shared by every connection.
final class PageVersions: Sendable {
    private let versions = NIOLockedValueBox<[String: Int]>([:])  // protected by its own lock

    func version(of name: String) -> Int {
        self.versions.withLockedValue { $0[name, default: 1] }
    }

    func touch(_ name: String) {
        self.versions.withLockedValue { $0[name, default: 1] += 1 }
    }
}
