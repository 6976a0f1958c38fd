#if canImport(Glibc)
import Glibc
#endif

/// A mutex with a condition variable, for the queues between threads that must block
/// (the list reader waits for room, the writer waits for records). `Synchronization.Mutex`
/// has no way to wait, so this wraps pthreads.
final class ConditionLock<State>: @unchecked Sendable {
    // `state` is protected by `mutex`; the pthread objects are heap-allocated so their
    // addresses never move, which pthreads require.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var state: State

    init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    func withLock<T>(_ body: (inout State) throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Blocks until `ready` holds (checked under the lock), then runs `body` under the lock.
    func withLock<T>(when ready: (State) -> Bool, _ body: (inout State) throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(state) {
            pthread_cond_wait(condition, mutex)
        }
        return try body(&state)
    }

    /// Wakes every thread waiting in `withLock(when:)` to re-check its condition.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
