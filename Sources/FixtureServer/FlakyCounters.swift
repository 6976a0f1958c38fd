import NIOConcurrencyHelpers

/// How many times each `/flaky` URI has been requested. A client's retries of one URL may come
/// on any connection, hence on any event loop: the counts are shared, behind a lock.
final class FlakyCounters: Sendable {
    private let counts = NIOLockedValueBox<[String: Int]>([:])  // protected by its own lock

    /// Counts one more request for `uri`; returns how many there have been, this one included.
    func count(_ uri: String) -> Int {
        self.counts.withLockedValue { counts in
            let count = counts[uri, default: 0] + 1
            counts[uri] = count
            return count
        }
    }

    func reset() {
        self.counts.withLockedValue { $0.removeAll() }
    }
}
