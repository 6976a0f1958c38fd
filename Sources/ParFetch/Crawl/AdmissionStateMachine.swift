/// Admission's decisions, as a value: which lines to take from the intake, what to start
/// (through the `HostScheduler` it owns), where a finished transfer goes (the parse pool, the
/// writer, or back to wait for a retry), what robots.txt answers mean, when a stop's grace
/// period ends and when the run is finished.
///
/// In the style of async-http-client's state machines: a struct with a private state; the
/// owner (`Admission`, on the event loop) reports events and performs the actions they
/// return, outside of it. No I/O and no clock: time comes in as monotonic nanoseconds, so
/// tests drive it as a plain value.
struct AdmissionStateMachine {
    typealias Scheduler = HostScheduler<CrawlJob>

    /// What the owner does next; after each, it asks `next` again, until `wait` or `idle`.
    enum Action {
        /// Take up to this many lines from the intake and report them with `linesTaken`.
        /// `askingForWake`: the loop has idle slots; if no line is ready, the intake should
        /// wake it when one is.
        case take(upTo: Int, askingForWake: Bool)
        /// Start this attempt; report its end with `transferFinished`.
        case start(Scheduler.Ticket)
        /// Fetch this robots.txt; report the response with `robotsFetched`.
        case fetchRobots(Scheduler.RobotsTicket)
        /// Write this record.
        case write(Record)
        /// Something the user should hear about (once or in sum, as the owner decides).
        case notice(Notice)
        /// Nothing more this turn; ask again at this time at the latest.
        case wait(until: Nanoseconds)
        /// Nothing more until something happens: a transfer ends, lines arrive, the writer or
        /// the parse pool has room again.
        case idle
        /// The run is over: end the transfers still in flight with `cancelling` (if any), then
        /// report whether every line got its record.
        case finish(completed: Bool, cancelling: FetchError?)
    }

    /// What the run does that a user would not expect, and should be told.
    enum Notice: Equatable {
        /// Free slots sit idle only because each of these hosts, all those with work
        /// waiting, is at its per-host limit.
        case perHostLimitHolds(hosts: Int)
        /// A URL was not retried: its server asked to wait this many seconds, more than
        /// `SchedulingPolicy.maxRetryWait`.
        case retryAfterTooLong(seconds: Double)
    }

    /// Where a finished transfer's response goes.
    enum Route {
        /// To the parse pool, which writes the record.
        case parse(ListItem, Response, attempts: Int)
        case write(Record)
        /// Nowhere yet: it waits for a retry.
        case retry
    }

    /// Why the run stops early.
    enum StopCause: Equatable {
        /// `CrawlStop`; `hurried` when asked more than once (no grace period).
        case requested(hurried: Bool)
        /// Nobody can read the records any more: there is no point in waiting.
        case outputFailed
    }

    private enum State {
        /// Lines still come from the intake.
        case reading
        /// The intake sent its last line: the run is complete once the scheduler is empty.
        case readerDone
        /// Nothing new starts; the transfers in flight may finish until `graceEnds` (unless
        /// `hurried`), then the rest are cut short with `error`.
        case stopping(graceEnds: Nanoseconds, error: FetchError, hurried: Bool)
        case finished
    }

    /// What one turn of the loop has done so far (`beginTurn` starts one).
    private struct Turn {
        /// Lines were taken to fill the reserve.
        var filled = false
        /// The scheduler has said it waits, since lines were last taken.
        var stepped = false
        /// The intake may have lines ready: it had when last asked with a wake-up.
        var moreReady = true
        /// When the scheduler wants to be asked again.
        var deadline: Nanoseconds?
    }

    private var state = State.reading
    private var turn = Turn()
    private var scheduler: Scheduler
    private let lookahead: Int
    /// Lines kept ready when every slot is busy: enough to refill them all twice.
    private let reserve: Int
    private let grace: Nanoseconds
    /// Pages go to the parse pool to be parsed, or to be saved when `saving`; every capture
    /// when `archiving`, to be encoded as WARC records.
    private let parsing: Bool
    private let saving: Bool
    private let archiving: Bool
    /// Transfers of lines in flight (robots.txt fetches aside).
    private(set) var lineTransfers = 0
    /// When next to look whether only the per-host limit holds the run back; nil once it was
    /// found to.
    private var perHostCheck: Nanoseconds? = 0
    /// Notices from events, handed out by the next turn.
    private var notices: [Notice] = []

    init(options: CrawlOptions, now: Nanoseconds, seed: UInt64 = .random(in: .min ... .max)) {
        scheduler = Scheduler(policy: options.scheduling, limit: options.concurrency, now: now, seed: seed)
        lookahead = max(1, options.scheduling.lookahead)
        reserve = min(lookahead, max(1024, 2 * options.concurrency))
        grace = Nanoseconds(seconds: max(0, options.grace))
        parsing = options.parse
        saving = options.bodyStore != nil
        archiving = options.warcGzip != nil
    }

    /// Lines waiting for the time of their retry.
    var retrying: Int { scheduler.retrying }

    /// The run has ended; nothing more will be asked of the owner.
    var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    private var isReading: Bool {
        if case .reading = state { return true }
        return false
    }

    private var isStopping: Bool {
        switch state {
        case .stopping, .finished: true
        case .reading, .readerDone: false
        }
    }

    // MARK: events

    /// A turn of the loop begins: it fills the reserve of lines and steps the scheduler anew.
    mutating func beginTurn() {
        turn = Turn()
    }

    /// Lines taken from the intake (none: nothing was ready); `drained`: it has no more.
    mutating func linesTaken<Items: Sequence<ListItem>>(_ items: Items, drained: Bool) {
        var any = false
        for item in items {
            scheduler.add(CrawlJob(item: item))
            any = true
        }
        if drained, isReading { state = .readerDone }
        if any { turn.moreReady = true }
        turn.stepped = false
    }

    /// An attempt ended with `response`: where it goes.
    mutating func transferFinished(_ ticket: Scheduler.Ticket, _ response: Response, now: Nanoseconds) -> Route {
        lineTransfers -= 1
        let verdict = scheduler.finished(ticket, Self.outcome(of: response), now: now) { job in
            // Its record is written from this response should no retry come.
            var last = response
            last.body = []
            job.last = LastAttempt(last)
        }
        if case .notRetried(let seconds) = verdict { notices.append(.retryAfterTooLong(seconds: seconds)) }
        switch verdict {
        case .done, .notRetried:
            // Bodies kept were HTML or untyped (or any, when saving); only complete ones are
            // parsed or saved. An empty 2xx body is saved too, as an empty file.
            if response.error == nil && ((parsing && !response.body.isEmpty) || (saving && response.ok))
                || archiving && response.capture != nil {
                return .parse(ticket.job.item, response, attempts: ticket.attempt)
            }
            return .write(Record(item: ticket.job.item, response: response, attempts: ticket.attempt))
        case .retry where isStopping:
            // No retry comes now: say so, so that --resume tries again.
            var last = response
            last.body = []
            last.error = FetchError(.interrupted, "the run was interrupted before a retry")
            return .write(Record(item: ticket.job.item, response: last, attempts: ticket.attempt))
        case .retry:
            return .retry
        }
    }

    /// A robots.txt fetch ended. Returns the body to parse (off the loop) and report with
    /// `robotsParsed`, or nil when the response alone decides, as RFC 9309 reads it: a 4xx
    /// (or redirects that never end) means there are no rules, a 5xx or no answer that every
    /// URL of the host is disallowed.
    mutating func robotsFetched(_ ticket: Scheduler.RobotsTicket, _ response: Response, now: Nanoseconds) -> [UInt8]? {
        // Stopping: its answer is of no use now.
        guard !isStopping else { return nil }
        let rules: RobotsRules
        let error: FetchError
        if let failure = response.error, failure.kind != .tooManyRedirects {
            rules = .disallowAll
            error = FetchError(.robots, "robots.txt unreachable (\(failure)); every URL of the host is treated as disallowed")
        } else {
            switch response.status ?? 0 {
            case 200..<300:
                return response.body
            case 500..<600:
                rules = .disallowAll
                error = FetchError(.robots, "robots.txt answered \(response.status ?? 0); every URL of the host is treated as disallowed")
            default:
                rules = .allowAll
                error = Self.disallowed(by: ticket)
            }
        }
        scheduler.robotsFinished(ticket, rules: rules, disallowed: error, now: now)
        return nil
    }

    /// The rules of a robots.txt body that `robotsFetched` handed out.
    mutating func robotsParsed(_ ticket: Scheduler.RobotsTicket, _ rules: RobotsRules, now: Nanoseconds) {
        guard !isStopping else { return }
        scheduler.robotsFinished(ticket, rules: rules, disallowed: Self.disallowed(by: ticket), now: now)
    }

    /// The run must stop. The first call starts the grace period and returns the records of
    /// the jobs waiting for a retry (they were started, so they are owed one); later calls
    /// may only hurry the stop.
    mutating func stop(_ cause: StopCause, now: Nanoseconds) -> [Record] {
        let hurried = cause != .requested(hurried: false)
        let error = FetchError(.interrupted, cause == .outputFailed ? "output closed" : "the run was interrupted")
        switch state {
        case .finished:
            return []
        case .stopping(let graceEnds, let current, let wasHurried):
            state = .stopping(graceEnds: graceEnds, error: cause == .outputFailed ? error : current,
                              hurried: wasHurried || hurried)
            return []
        case .reading, .readerDone:
            state = .stopping(graceEnds: now + grace, error: error, hurried: hurried)
            return scheduler.takeRetries().map { job, attempts in
                var last = job.last?.response ?? Response(url: job.url.absolute)
                last.error = error
                return Record(item: job.item, response: last, attempts: attempts)
            }
        }
    }

    // MARK: decisions

    /// What to do now. `backedUp`: the record writer or the parse pool is behind, so nothing
    /// starts until it catches up (and wakes the loop).
    mutating func next(now: Nanoseconds, backedUp: Bool) -> Action {
        switch state {
        case .finished:
            return .idle
        case .stopping(let graceEnds, let error, let hurried):
            // robots.txt fetches still running are not waited for.
            if lineTransfers > 0 && !hurried && now < graceEnds { return .wait(until: graceEnds) }
            state = .finished
            return .finish(completed: false, cancelling: error)
        case .reading, .readerDone:
            break
        }
        if !notices.isEmpty { return .notice(notices.removeFirst()) }
        if isReading && !turn.filled && scheduler.waiting < reserve {
            turn.filled = true
            return .take(upTo: reserve - scheduler.waiting, askingForWake: false)
        }
        if !turn.stepped {
            if let action = step(now: now, backedUp: backedUp) { return action }
        }
        // Slots are free and the look-ahead has room: look further ahead, for work they can
        // take (another host behind a long run of a busy one). Skipped lines free look-ahead
        // without a transfer whose end would bring the loop back.
        if isReading && turn.moreReady && scheduler.waiting < lookahead && scheduler.inFlight < scheduler.limit
            && !backedUp {
            // Until lines come of it: an intake with none ready wakes the loop when it has.
            turn.moreReady = false
            return .take(upTo: lookahead - scheduler.waiting, askingForWake: true)
        }
        if !isReading && scheduler.isEmpty {
            state = .finished
            return .finish(completed: true, cancelling: nil)
        }
        // The scan of every host is rationed to one a second; turns where it could find
        // nothing do not spend the ration.
        if let at = perHostCheck, now >= at, scheduler.mayBeHeldByPerHostLimit {
            perHostCheck = now + Nanoseconds(seconds: 1)
            if let hosts = scheduler.hostsHeldByPerHostLimit() {
                perHostCheck = nil
                return .notice(.perHostLimitHolds(hosts: hosts))
            }
        }
        return turn.deadline.map { .wait(until: $0) } ?? .idle
    }

    /// The scheduler's next step as an action; nil once it waits.
    private mutating func step(now: Nanoseconds, backedUp: Bool) -> Action? {
        guard !backedUp else {
            turn.stepped = true
            turn.deadline = nil
            return nil
        }
        switch scheduler.next(now: now) {
        case .start(let ticket):
            lineTransfers += 1
            return .start(ticket)
        case .fetchRobots(let ticket):
            return .fetchRobots(ticket)
        case .skip(let job, let attempts, let error):
            if attempts > 0, let last = job.last {
                return .write(Record(item: job.item, response: last.response, attempts: attempts))
            }
            return .write(Record(item: job.item, error: error))
        case .wait(let until):
            turn.stepped = true
            turn.deadline = until
        case .blocked:
            turn.stepped = true
            turn.deadline = nil
        }
        return nil
    }

    private static func disallowed(by ticket: Scheduler.RobotsTicket) -> FetchError {
        FetchError(.robots, "disallowed by \(URLCheck.redactingPassword(ticket.url))")
    }

    private static func outcome(of response: Response) -> AttemptOutcome {
        if let error = response.error { return .failure(error.kind, connecting: response.failedConnecting) }
        return .response(status: response.status ?? 0, retryAfter: response.retryAfter)
    }
}
