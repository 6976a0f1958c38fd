import Synchronization

/// Asks a running crawl to stop, from any thread (a signal-handling thread, say): no new
/// transfer starts, those in flight may finish within `CrawlOptions.grace` (a second request
/// cuts them short) and the rest end with `interrupted` records; `Crawl.run` returns
/// `.stopped`. Lines never started get no record.
public final class CrawlStop: Sendable {
    private struct State {
        var requests = 0
        var handler: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    /// The first call stops the run gracefully; the next ones skip the grace period.
    public func request() {
        let handler = state.withLock { state in
            state.requests += 1
            return state.handler
        }
        handler?()
    }

    var isRequested: Bool { state.withLock { $0.requests > 0 } }

    /// A second request came: no grace.
    var isHurried: Bool { state.withLock { $0.requests > 1 } }

    /// Runs `handler` on each request, at once if one came already.
    func onRequest(_ handler: @escaping @Sendable () -> Void) {
        let requested = state.withLock { state in
            state.handler = handler
            return state.requests > 0
        }
        if requested { handler() }
    }
}

/// How a crawl ended.
public enum CrawlOutcome: Sendable, Equatable {
    /// Every line has its record.
    case completed
    /// Stopped by `CrawlStop`, or because the output could no longer be written.
    case stopped
}
