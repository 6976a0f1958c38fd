import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM as an async sequence, so the server shuts down cleanly instead of being
/// killed by the signals' default action.
///
/// Kept out of main.swift on purpose: closures written there are isolated to the main actor, and
/// dispatch runs signal handlers on a thread of its own, where Swift would trap on that isolation.
struct TerminationSignals {
    /// Yields the number of each signal received.
    let received: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    /// Starts catching the signals (from now on they no longer end the process).
    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.received = stream
        self.sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)  // so that only the dispatch source sees it
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            return source
        }
    }

    /// Stops watching (the signals stay ignored).
    func cancel() {
        for source in self.sources {
            source.cancel()
        }
    }
}
