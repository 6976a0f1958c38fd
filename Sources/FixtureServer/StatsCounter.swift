import NIOConcurrencyHelpers

/// The server's counters, shared by every connection on every event loop, hence the lock.
final class StatsCounter: Sendable {
    private let stats = NIOLockedValueBox(FixtureStats())  // protected by its own lock

    func connectionAccepted() {
        self.stats.withLockedValue { $0.connections += 1 }
    }

    /// Counts a request whose head has arrived, under its Host header value; the returned
    /// token ends it.
    func requestStarted(host: String) -> InFlightRequest {
        self.stats.withLockedValue { stats in
            stats.requests += 1
            stats.inFlight += 1
            stats.maxInFlight = max(stats.maxInFlight, stats.inFlight)
            let hostInFlight = stats.inFlightByHost[host, default: 0] + 1
            stats.inFlightByHost[host] = hostInFlight
            stats.maxInFlightByHost[host] = max(stats.maxInFlightByHost[host, default: 0], hostInFlight)
        }
        return InFlightRequest(counter: self, host: host)
    }

    /// Called only by ``InFlightRequest/finish()``, which guarantees once per request.
    func requestFinished(host: String) {
        self.stats.withLockedValue { stats in
            precondition(stats.inFlight > 0, "in-flight count would go negative")
            stats.inFlight -= 1
            let hostInFlight = stats.inFlightByHost[host, default: 0] - 1
            precondition(hostInFlight >= 0, "in-flight count of a host would go negative")
            stats.inFlightByHost[host] = hostInFlight == 0 ? nil : hostInFlight
        }
    }

    func snapshot() -> FixtureStats {
        self.stats.withLockedValue { $0 }
    }

    /// Zeroes the totals. Requests still in flight keep counting down, so `inFlight` is kept and
    /// `maxInFlight` restarts from it rather than from zero (and so for each host).
    @discardableResult
    func reset() -> FixtureStats {
        self.stats.withLockedValue { stats in
            stats.requests = 0
            stats.connections = 0
            stats.maxInFlight = stats.inFlight
            stats.maxInFlightByHost = stats.inFlightByHost
            return stats
        }
    }
}

/// One counted request. Several paths can end a request (its response end was written, that
/// write failed, the connection closed first); only the first call to ``finish()`` counts, which
/// keeps the in-flight count exact.
///
/// Not Sendable: it is owned by one connection and used only on that connection's event loop.
final class InFlightRequest {
    private let counter: StatsCounter
    private let host: String
    private var finished = false

    init(counter: StatsCounter, host: String) {
        self.counter = counter
        self.host = host
    }

    func finish() {
        guard !self.finished else { return }
        self.finished = true
        self.counter.requestFinished(host: self.host)
    }
}
