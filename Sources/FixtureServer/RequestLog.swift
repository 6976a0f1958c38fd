import NIOConcurrencyHelpers
import NIOCore

/// One request as the server saw it arrive (see ``FixtureServer/requestLog()``).
public struct LoggedRequest: Sendable, Equatable {
    /// The request target as sent: path and query, or the whole URL for a request through a proxy.
    public var uri: String
    /// The request's `Host` header, lowercased and without its port ("" when it had none), so
    /// that tests of the `/crawl/` site (``CrawlSite``) can tell its host names apart.
    public var host: String
    /// When its head arrived, in seconds since the server started, on a monotonic clock.
    public var time: Double

    public init(uri: String, host: String = "", time: Double) {
        self.uri = uri
        self.host = host
        self.time = time
    }
}

/// The counted requests in arrival order, so tests can check a client's pacing on the server
/// side. Shared by every connection on every event loop, hence the lock.
///
/// Only the last ``capacity`` entries are kept (in a ring), so a long benchmark cannot make the
/// log grow without bound.
final class RequestLog: Sendable {
    static let defaultCapacity = 100_000

    private struct Ring {
        var entries: [LoggedRequest] = []
        /// Where the oldest entry is once the ring is full (and the next one is written).
        var oldest = 0
    }

    let capacity: Int
    private let start: NIODeadline
    private let ring = NIOLockedValueBox(Ring())  // protected by its own lock

    init(start: NIODeadline, capacity: Int = RequestLog.defaultCapacity) {
        precondition(capacity > 0)
        self.start = start
        self.capacity = capacity
    }

    func append(uri: String, host: String = "") {
        self.ring.withLockedValue { ring in
            // The clock is read under the lock, so times never decrease along the log.
            let time = Double((NIODeadline.now() - self.start).nanoseconds) / 1e9
            let entry = LoggedRequest(uri: uri, host: host, time: time)
            if ring.entries.count < self.capacity {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.oldest] = entry
                ring.oldest = (ring.oldest + 1) % self.capacity
            }
        }
    }

    /// The entries kept, oldest first.
    func entries() -> [LoggedRequest] {
        self.ring.withLockedValue { ring in
            Array(ring.entries[ring.oldest...] + ring.entries[..<ring.oldest])
        }
    }

    func reset() {
        self.ring.withLockedValue { $0 = Ring() }
    }
}
