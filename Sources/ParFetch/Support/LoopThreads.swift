import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The event-loop threads running now, so that CPU work (parsing pages, robots.txt, saving
/// bodies) can check it never runs on one: a loop only drives I/O. Here rather than in the
/// engine so that the parsers in every folder can check without depending on it.
enum LoopThreads {
    /// By pthread id.
    private static let running = Mutex<Set<UInt>>([])
    /// Times work that belongs off the loop was found running on a loop thread.
    static let misplacedWork = Atomic<Int>(0)

    /// Called by a loop thread as it starts (true) and ends (false).
    static func register(_ isRunning: Bool) {
        running.withLock { threads in
            if isRunning { threads.insert(UInt(pthread_self())) } else { threads.remove(UInt(pthread_self())) }
        }
    }

    /// Counts CPU work found running on a loop thread (tests assert the count stays 0).
    static func checkNotOnLoop() {
        guard running.withLock({ $0.contains(UInt(pthread_self())) }) else { return }
        misplacedWork.add(1, ordering: .relaxed)
    }
}

/// Moves a non-Sendable value to another thread that becomes its only user.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
