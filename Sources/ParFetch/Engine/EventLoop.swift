import CCurl
import CLibCurl

import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Something the loop asks for more work on every turn, after libcurl has run: the place
/// where admission decisions are made without any cross-thread hop per transfer.
protocol LoopFeeder: AnyObject {
    /// Called on the loop thread; may start transfers on `multi`. Returns when it wants to be
    /// called again at the latest (monotonic nanoseconds; nil: only when woken).
    func feed(_ multi: CurlMulti) -> UInt64?
}

/// The one thread that owns the libcurl multi handle. It sleeps in `epoll_wait` on libcurl's
/// sockets and an eventfd; other threads hand it closures with `execute`, which wake it.
///
/// `@unchecked Sendable`: every field except `queue` and the two descriptors is confined to
/// the loop thread (`multi`, `feeder`); `queue` is protected by its mutex; the descriptors
/// are immutable.
final class EventLoop: @unchecked Sendable {
    typealias Task = @Sendable (CurlMulti) -> Void

    private struct Queue {
        var tasks: [Task] = []
        /// The loop is in (or about to enter) epoll_wait and must be woken through the eventfd.
        var sleeping = false
        /// A wake-up came while the loop was awake: it must take another turn before sleeping,
        /// or the wake-up would be lost.
        var wakePending = false
        var stopping = false

        /// Records a wake-up; returns whether the eventfd must be signalled.
        mutating func wake() -> Bool {
            guard sleeping else {
                wakePending = true
                return false
            }
            sleeping = false
            return true
        }
    }

    private let epoll: Int32
    private let wakeFD: Int32
    /// A pthread mutex rather than `Synchronization.Mutex`: this lock is the only ordering
    /// between the threads that hand the loop work and the loop when it does not sleep, and
    /// Thread Sanitizer sees pthread locks but not the standard library's futex-based one
    /// (it reported the tasks handed over as races).
    private let queue = ConditionLock(Queue())
    private var thread: NativeThread?
    // Loop-thread state.
    private var multi: CurlMulti?
    private var feeder: LoopFeeder?

    /// `redirectScope`: a crawl's scope, which every redirect must stay in.
    init(configuration: FetchConfiguration, redirectScope: CrawlScope? = nil) throws {
        CurlGlobal.initialize()
        epoll = try System.epollCreate()
        do {
            wakeFD = try System.eventFD()
        } catch {
            System.close(epoll)
            throw error
        }
        do {
            try System.epollControl(epoll, EPOLL_CTL_ADD, wakeFD, events: EPOLLIN.rawValue)
        } catch {
            System.close(wakeFD)
            System.close(epoll)
            throw error
        }
        thread = NativeThread { [self] in
            LoopThreads.register(true)
            defer { LoopThreads.register(false) }
            let multi = CurlMulti(epoll: epoll, configuration: configuration, redirectScope: redirectScope)
            self.multi = multi
            run(multi)
            self.feeder = nil
            self.multi = nil
        }
    }

    deinit {
        System.close(wakeFD)
        System.close(epoll)
    }

    /// Runs `task` on the loop thread. Returns false, without running it, once the loop is
    /// stopping.
    @discardableResult
    func execute(_ task: @escaping Task) -> Bool {
        let wake: Bool? = queue.withLock { queue in
            guard !queue.stopping else { return nil }
            queue.tasks.append(task)
            return queue.wake()
        }
        guard let wake else { return false }
        if wake { System.eventFDSignal(wakeFD) }
        return true
    }

    /// Wakes the loop so it asks its feeder for work again.
    func wake() {
        if queue.withLock({ $0.wake() }) { System.eventFDSignal(wakeFD) }
    }

    /// Installs the feeder. Call from a task running on the loop.
    func setFeeder(_ feeder: LoopFeeder?) {
        self.feeder = feeder
    }

    /// Ends every transfer still in flight with `interrupted`, stops the thread and waits for it.
    func shutdown() {
        let first = queue.withLock { queue in
            defer { queue.stopping = true }
            return !queue.stopping
        }
        guard first else { return }
        System.eventFDSignal(wakeFD)
        thread?.join()
        thread = nil
    }

    // MARK: the loop

    private func run(_ multi: CurlMulti) {
        let capacity: Int32 = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(capacity))
        defer { events.deallocate() }
        while true {
            let (tasks, stopping) = queue.withLock { queue in
                defer { queue.tasks.removeAll(keepingCapacity: true) }
                return (queue.tasks, queue.stopping)
            }
            for task in tasks { task(multi) }
            if stopping {
                multi.cancelAll(FetchError(.interrupted, "the fetcher was shut down"))
                return
            }
            let feederDeadline = feeder?.feed(multi)
            // Read after feeding: starting transfers arms libcurl's timer.
            var deadline = multi.timerDeadline
            if let feederDeadline, feederDeadline < deadline ?? .max {
                deadline = feederDeadline
            }

            let timeout = waitMilliseconds(until: deadline)
            let sleep = queue.withLock { queue in
                queue.sleeping = queue.tasks.isEmpty && !queue.stopping && !queue.wakePending
                queue.wakePending = false
                return queue.sleeping
            }
            let count: Int
            do {
                count = try System.epollWait(epoll, events, capacity, timeoutMilliseconds: sleep ? timeout : 0)
            } catch {
                fatalError("epoll_wait failed: \(error)")
            }
            queue.withLock { $0.sleeping = false }
            multi.now = System.monotonicNanoseconds()
            for index in 0..<count {
                let event = events[index]
                if event.data.fd == wakeFD {
                    System.eventFDDrain(wakeFD)
                } else {
                    multi.socketAction(event.data.fd, epollEvents: event.events)
                }
            }
            multi.fireTimerIfDue()
        }
    }

    /// How long epoll may sleep before `deadline` (libcurl's timer or the feeder's; nil: -1,
    /// no limit).
    private func waitMilliseconds(until deadline: UInt64?) -> Int32 {
        guard let deadline else { return -1 }
        let now = System.monotonicNanoseconds()
        guard deadline > now else { return 0 }
        // Rounded up: waking early would only spin.
        return Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
    }
}

/// `curl_global_init` must run once, before any other thread uses libcurl.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(CCurl_CURL_GLOBAL_ALL) == CURLE_OK
    }()

    static func initialize() {
        precondition(initialized, "curl_global_init failed")
    }
}
