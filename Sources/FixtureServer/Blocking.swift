import Foundation

/// Runs blocking client work (a crawl, a child process) on a thread of its own and awaits it,
/// for async tests and benchmarks that drive a client beside the server: blocking the
/// concurrency pool instead (as many threads as cores) would stall every other task, the
/// server's clients' timers and other tests' waits included.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try work() })
        }
    }
}
