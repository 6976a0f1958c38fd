import DequeModule
import HeapModule

/// What the scheduler needs to know of a unit of work.
protocol SchedulerJob {
    /// The host it is filed under: host name and port.
    var host: String { get }
    /// The path and query (no fragment), matched against robots.txt.
    var robotsPath: Substring { get }
    /// The host's robots.txt, fetched before its first job when `SchedulingPolicy.robots` is on.
    var robotsURL: String { get }
}

/// What became of one attempt, as far as scheduling is concerned.
enum AttemptOutcome: Equatable {
    /// A response arrived with this status. `retryAfter`: the server's Retry-After, in seconds.
    case response(status: Int, retryAfter: Double?)
    /// No complete response. `connecting`: it failed before a connection was made (a
    /// connect timeout, say), which counts towards giving the host up.
    case failure(FetchError.Kind, connecting: Bool = false)
}

/// Decides what starts next: the global limit, a window per host (at most
/// `SchedulingPolicy.perHost`, halved when the host answers 429 or 503 and grown back by one
/// per success), round-robin across the hosts with work waiting, the request rate, the gap
/// between starts to one host, pauses a host asked for with Retry-After, retries with backoff,
/// robots.txt, and hosts given up after repeated connect failures.
///
/// A state machine as a value, in the style of async-http-client's state machines: the owner
/// (`AdmissionStateMachine`) reports events (`add`, `finished`, `robotsFinished`) and
/// asks `next` what to do; it performs the steps (start a transfer, write a record, sleep). No
/// I/O and no clock of its own: time comes in as monotonic nanoseconds, and randomness from a
/// seedable generator, so tests drive it as plain values.
///
/// Work waiting here holds no slot and no connection; only started work counts as in flight.
struct HostScheduler<Job: SchedulerJob> {
    /// A started attempt. Hand it back to `finished` when it ends.
    struct Ticket {
        var job: Job
        /// 1 for the first request of the job.
        let attempt: Int
        fileprivate let host: Int
        /// The host's window generation when it started: only feedback on the current
        /// window may change it.
        fileprivate let generation: Int
    }

    /// A started robots.txt fetch. Hand it back to `robotsFinished` when it ends.
    struct RobotsTicket: Sendable {
        /// `scheme://host:port/robots.txt`.
        let url: String
        fileprivate let host: Int
    }

    enum Step {
        /// Start this attempt.
        case start(Ticket)
        /// Fetch this host's robots.txt; its URLs wait until `robotsFinished`.
        case fetchRobots(RobotsTicket)
        /// Do not fetch this job: write its record with this error (`attempts` made so far).
        case skip(Job, attempts: Int, FetchError)
        /// Nothing can start before this time (unless a transfer ends or work arrives first).
        case wait(until: Nanoseconds)
        /// Nothing can start until a transfer ends or work arrives.
        case blocked
    }

    enum Verdict: Equatable {
        /// The job is finished; its record describes this attempt.
        case done
        /// The job is finished without the retry it had left: the server asked to wait this
        /// many seconds (Retry-After), more than `SchedulingPolicy.maxRetryWait`.
        case notRetried(retryAfter: Double)
        /// The job waits here and starts again no earlier than this time.
        case retry(at: Nanoseconds)
    }

    private struct Entry {
        var job: Job
        /// Attempts made so far.
        var attempts: Int
    }

    private enum Robots {
        case notWanted
        case unknown
        case fetching
        /// The rules, and the error for a URL they disallow.
        case known(RobotsRules, FetchError)
    }

    private struct Host {
        let name: String
        var pending: Deque<Entry> = []
        var inFlight = 0
        /// Jobs of this host waiting for a retry.
        var retrying = 0
        /// Transfers allowed in flight now (AIMD, 1…perHost).
        var window: Int
        /// Counts the window's cuts. A cut applies once per round trip: responses to requests
        /// sent before it neither cut again nor grow the window back.
        var generation = 0
        var pausedUntil: Nanoseconds = 0
        var nextStart: Nanoseconds = 0
        /// robots.txt's Crawl-delay: a minimum, never shortened by jitter.
        var crawlDelay: Double = 0
        var consecutiveFailures = 0
        /// Set once the host is given up: the error its remaining jobs are skipped with.
        var givenUp: FetchError?
        var robots: Robots
        /// In `runnable`.
        var queued = false
        /// A wake-up timer is armed for this time.
        var wakeAt: Nanoseconds?
    }

    /// A retry or a host's wake-up, ordered by time (then by arming order).
    private struct Timer: Comparable {
        let at: Nanoseconds
        let sequence: Int
        let host: Int
        let isRetry: Bool

        static func < (a: Timer, b: Timer) -> Bool {
            (a.at, a.sequence) < (b.at, b.sequence)
        }

        static func == (a: Timer, b: Timer) -> Bool {
            a.at == b.at && a.sequence == b.sequence
        }
    }

    private static func isRetryable(status: Int) -> Bool {
        switch status {
        case 408, 429, 500, 502, 503, 504: true
        default: false
        }
    }

    let policy: SchedulingPolicy
    /// Transfers in flight at most, over all hosts.
    let limit: Int
    /// `policy.perHost`, at least 1.
    private let perHost: Int
    private var random: SplitMix64
    private var bucket: TokenBucket?
    private var hosts: [Host] = []
    private var freeHosts: [Int] = []
    private var hostIDs: [String: Int] = [:]
    /// Hosts that have work waiting and may be able to start it, in round-robin order.
    private var runnable: Deque<Int> = []
    private var timers = Heap<Timer>()
    private var retries: [Int: Entry] = [:]
    private var timerSequence = 0

    /// Transfers started and not finished (robots.txt fetches included).
    private(set) var inFlight = 0
    /// Jobs added and not yet started, or waiting for a retry.
    private(set) var waiting = 0

    init(policy: SchedulingPolicy, limit: Int, now: Nanoseconds, seed: UInt64 = .random(in: .min ... .max)) {
        self.policy = policy
        self.limit = max(1, limit)
        perHost = max(1, policy.perHost)
        random = SplitMix64(seed: seed)
        // A rate of 0 or less would never (or always) have a token: no limit is meant.
        bucket = policy.rate.flatMap { $0 > 0 ? TokenBucket(rate: $0, now: now) : nil }
    }

    /// Jobs waiting for the time of their retry.
    var retrying: Int { retries.count }

    /// Nothing waits and nothing is in flight.
    var isEmpty: Bool { waiting == 0 && inFlight == 0 }

    // MARK: events

    mutating func add(_ job: Job) {
        let id = hostID(job.host)
        hosts[id].pending.append(Entry(job: job, attempts: 0))
        waiting += 1
        markRunnable(id)
    }

    /// Reports how an attempt ended; says whether the job is done or will be retried. The
    /// retry decision is made here alone: `retained` is applied to a job that is kept for a
    /// retry (to keep what its record would need should no retry come).
    mutating func finished(_ ticket: Ticket, _ outcome: AttemptOutcome, now: Nanoseconds,
                           retained: (inout Job) -> Void = { _ in }) -> Verdict {
        let id = ticket.host
        hosts[id].inFlight -= 1
        inFlight -= 1
        defer {
            if !hosts[id].pending.isEmpty {
                markRunnable(id)
            } else if hosts[id].inFlight == 0 {
                // Come back once its pause or delay is over, to forget it then.
                let until = max(hosts[id].pausedUntil, hosts[id].nextStart)
                if until > now { armWake(id, at: until) }
            }
            releaseIfIdle(id, now: now)
        }
        let retryWait: Double?
        switch outcome {
        case .response(let status, let retryAfter):
            hosts[id].consecutiveFailures = 0
            let current = ticket.generation == hosts[id].generation
            if status == 429 || status == 503 {
                if current {
                    hosts[id].window = max(1, hosts[id].window / 2)
                    hosts[id].generation += 1
                }
                if let retryAfter {
                    let pause = now + Nanoseconds(seconds: min(retryAfter, policy.maxRetryWait))
                    hosts[id].pausedUntil = max(hosts[id].pausedUntil, pause)
                }
            } else if current && status < 400 {
                hosts[id].window = min(perHost, hosts[id].window + 1)
            }
            guard Self.isRetryable(status: status) else { return .done }
            if let retryAfter {
                // Waiting less than the server asked would be rude; waiting longer than the
                // user allows is not what they want.
                guard retryAfter <= policy.maxRetryWait else {
                    return ticket.attempt <= policy.retries ? .notRetried(retryAfter: retryAfter) : .done
                }
                retryWait = retryAfter
            } else {
                retryWait = nil
            }
        case .failure(let kind, let connecting):
            if kind == .connect || kind == .dns || connecting {
                hosts[id].consecutiveFailures += 1
                let failures = hosts[id].consecutiveFailures
                if policy.hostErrors > 0, failures >= policy.hostErrors, hosts[id].givenUp == nil {
                    let what = kind == .dns ? "DNS" : "connect"
                    hosts[id].givenUp = FetchError(kind == .dns ? .dns : .connect,
                        "host \(hosts[id].name) given up after \(failures) consecutive \(what) failures; not fetched")
                }
            }
            guard kind == .connect || kind == .timeout || kind == .reset else { return .done }
            retryWait = nil
        }
        guard ticket.attempt <= policy.retries, hosts[id].givenUp == nil else { return .done }
        let wait = retryWait ?? backoff(afterAttempt: ticket.attempt)
        let at = now + Nanoseconds(seconds: wait)
        var job = ticket.job
        retained(&job)
        timerSequence += 1
        retries[timerSequence] = Entry(job: job, attempts: ticket.attempt)
        timers.insert(Timer(at: at, sequence: timerSequence, host: id, isRetry: true))
        hosts[id].retrying += 1
        waiting += 1
        return .retry(at: at)
    }

    /// Reports the robots.txt of a host: `rules`, and the error for the URLs they disallow.
    mutating func robotsFinished(_ ticket: RobotsTicket, rules: RobotsRules, disallowed: FetchError, now: Nanoseconds) {
        let id = ticket.host
        hosts[id].inFlight -= 1
        inFlight -= 1
        hosts[id].robots = .known(rules, disallowed)
        if let crawlDelay = rules.crawlDelay {
            hosts[id].crawlDelay = min(crawlDelay, policy.maxRetryWait)
        }
        if !hosts[id].pending.isEmpty { markRunnable(id) }
    }

    /// Takes the jobs waiting for a retry, for a run that stops: they were started, so they
    /// are owed a record. That includes retries already due, at the head of their host's
    /// queue.
    mutating func takeRetries() -> [(job: Job, attempts: Int)] {
        var taken = retries.sorted { $0.key < $1.key }.map { ($0.value.job, $0.value.attempts) }
        for timer in timers.unordered where timer.isRetry {
            hosts[timer.host].retrying -= 1
        }
        waiting -= retries.count
        retries.removeAll()
        timers = Heap(timers.unordered.filter { !$0.isRetry })
        for id in hosts.indices {
            while let first = hosts[id].pending.first, first.attempts > 0 {
                hosts[id].pending.removeFirst()
                waiting -= 1
                taken.append((first.job, first.attempts))
            }
        }
        return taken
    }

    // MARK: decisions

    /// What to do now.
    mutating func next(now: Nanoseconds) -> Step {
        releaseTimers(now)
        while let id = runnable.first {
            if hosts[id].pending.isEmpty {
                dequeue()
                releaseIfIdle(id, now: now)
                continue
            }
            if let error = hosts[id].givenUp {
                return skipHead(of: id, error)
            }
            if case .known(let rules, let error) = hosts[id].robots, !rules.allows(path: hosts[id].pending[0].job.robotsPath) {
                return skipHead(of: id, error)
            }
            if inFlight >= limit { return .blocked }
            if hosts[id].inFlight >= hosts[id].window {
                dequeue()  // back when one of its transfers ends
                continue
            }
            if case .fetching = hosts[id].robots {
                dequeue()  // back when robots.txt is known
                continue
            }
            let ready = max(hosts[id].pausedUntil, hosts[id].nextStart)
            if ready > now {
                dequeue()
                armWake(id, at: ready)
                continue
            }
            if let tokenAt = bucket?.take(now: now) {
                return .wait(until: tokenAt)
            }
            dequeue()
            hosts[id].inFlight += 1
            inFlight += 1
            hosts[id].nextStart = now + Nanoseconds(seconds: gap(crawlDelay: hosts[id].crawlDelay))
            if case .unknown = hosts[id].robots {
                hosts[id].robots = .fetching
                return .fetchRobots(RobotsTicket(url: hosts[id].pending[0].job.robotsURL, host: id))
            }
            let entry = hosts[id].pending.removeFirst()
            waiting -= 1
            if !hosts[id].pending.isEmpty { markRunnable(id) }  // to the back: round-robin
            return .start(Ticket(job: entry.job, attempt: entry.attempts + 1, host: id, generation: hosts[id].generation))
        }
        if let first = timers.min { return .wait(until: first.at) }
        return .blocked
    }

    /// Whether `hostsHeldByPerHostLimit` may find hosts: slots are free, with more work waiting
    /// than they could take (not just the tail of a list), none of it for a retry. Cheap.
    var mayBeHeldByPerHostLimit: Bool {
        inFlight < limit && waiting >= limit - inFlight && retries.isEmpty
    }

    /// The hosts with work waiting, when slots are free and yet nothing can start only because
    /// each of them has `SchedulingPolicy.perHost` transfers in flight, with more work waiting
    /// than the free slots could take; nil otherwise. Scans every host: ask rarely.
    func hostsHeldByPerHostLimit() -> Int? {
        guard mayBeHeldByPerHostLimit else { return nil }
        var held = 0
        for host in hosts where !host.pending.isEmpty {
            guard host.inFlight >= perHost, host.givenUp == nil else { return nil }
            held += 1
        }
        return held > 0 ? held : nil
    }

    // MARK: helpers

    private mutating func hostID(_ name: String) -> Int {
        if let id = hostIDs[name] { return id }
        let host = Host(name: name, window: perHost, robots: policy.robots ? .unknown : .notWanted)
        let id: Int
        if let free = freeHosts.popLast() {
            id = free
            hosts[id] = host
        } else {
            id = hosts.count
            hosts.append(host)
        }
        hostIDs[name] = id
        return id
    }

    /// Forgets a host with nothing left to remember, so a list of a million hosts does not
    /// keep a million entries.
    private mutating func releaseIfIdle(_ id: Int, now: Nanoseconds) {
        let host = hosts[id]
        guard host.pending.isEmpty, host.inFlight == 0, host.retrying == 0, !host.queued, host.wakeAt == nil,
              host.window == perHost, host.consecutiveFailures == 0, host.givenUp == nil,
              host.pausedUntil <= now, host.nextStart <= now, case .notWanted = host.robots
        else { return }
        hostIDs[host.name] = nil
        freeHosts.append(id)
    }

    private mutating func markRunnable(_ id: Int) {
        guard !hosts[id].queued else { return }
        hosts[id].queued = true
        runnable.append(id)
    }

    private mutating func dequeue() {
        let id = runnable.removeFirst()
        hosts[id].queued = false
    }

    private mutating func skipHead(of id: Int, _ error: FetchError) -> Step {
        let entry = hosts[id].pending.removeFirst()
        waiting -= 1
        return .skip(entry.job, attempts: entry.attempts, error)
    }

    private mutating func armWake(_ id: Int, at time: Nanoseconds) {
        if let armed = hosts[id].wakeAt, armed <= time { return }
        hosts[id].wakeAt = time
        timerSequence += 1
        timers.insert(Timer(at: time, sequence: timerSequence, host: id, isRetry: false))
    }

    /// Moves due retries to the front of their host's queue and wakes paused hosts.
    private mutating func releaseTimers(_ now: Nanoseconds) {
        while let timer = timers.min, timer.at <= now {
            _ = timers.removeMin()
            if timer.isRetry {
                guard let entry = retries.removeValue(forKey: timer.sequence) else { continue }
                hosts[timer.host].retrying -= 1
                hosts[timer.host].pending.prepend(entry)
                markRunnable(timer.host)
            } else if hosts[timer.host].wakeAt == timer.at {
                hosts[timer.host].wakeAt = nil
                markRunnable(timer.host)
            }
        }
    }

    /// Full jitter: uniform in [0, min(cap, base × 2^(attempt-1))].
    private mutating func backoff(afterAttempt attempt: Int) -> Double {
        let ceiling = min(policy.backoffCap, policy.backoffBase * Double(1 << min(max(attempt - 1, 0), 40)))
        guard ceiling > 0 else { return 0 }
        return Double.random(in: 0...ceiling, using: &random)
    }

    /// The gap before a host's next start: `--delay` (or a longer Crawl-delay) ±50 %, but
    /// never less than the Crawl-delay the server asked for.
    private mutating func gap(crawlDelay: Double) -> Double {
        let delay = max(policy.delay, crawlDelay)
        guard delay > 0 else { return 0 }
        let varied = policy.jitter ? delay * Double.random(in: 0.5...1.5, using: &random) : delay
        return max(crawlDelay, varied)
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64), so that tests can
/// replay the scheduler's random choices.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
