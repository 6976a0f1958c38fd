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

    /// Blocks until `ready` holds (checked under the lock, and free to note in the state that
    /// someone waits), then runs `body` under the lock. With a `timeout`, runs `body` after that
    /// long even if `ready` does not hold.
    func withLock<T>(
        when ready: (inout State) -> Bool, timeout: Duration? = nil, _ body: (inout State) throws -> T
    ) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        var deadline = timespec()
        if let timeout {
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            let total = Int64(deadline.tv_nsec) + timeout.components.attoseconds / 1_000_000_000
                + timeout.components.seconds * 1_000_000_000
            deadline.tv_sec += Int(total / 1_000_000_000)
            deadline.tv_nsec = Int(total % 1_000_000_000)
        }
        while !ready(&state) {
            if timeout == nil {
                pthread_cond_wait(condition, mutex)
            } else if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT {
                break
            }
        }
        return try body(&state)
    }

    /// Wakes one thread waiting in `withLock(when:)` to re-check its condition.
    func signal() {
        pthread_cond_signal(condition)
    }

    /// Wakes every thread waiting in `withLock(when:)` to re-check its condition.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
