/// A list line on its way through the scheduler. Up to `--lookahead` of them wait at once,
/// so it is kept small.
struct CrawlJob: SchedulerJob {
    let item: ListItem
    /// The last attempt's response (without its body), kept while the job waits for a retry;
    /// boxed, as few jobs ever have one.
    var last: LastAttempt?

    var host: String { item.host }

    var url: String {
        guard case .success(let url) = item.target else { preconditionFailure("only fetchable lines are scheduled") }
        return url
    }
}

final class LastAttempt {
    let response: Response

    init(_ response: Response) { self.response = response }
}

/// Runs the crawl's admission on the loop thread: takes read lines into the `HostScheduler`
/// (a bounded look-ahead), performs its steps (starts transfers, fetches robots.txt, writes
/// the records of lines it skips), reports each attempt's outcome back, and hands finished
/// transfers to the parse pool or the writer. Nothing starts while the record writer or the
/// parse pool is backed up, and nothing once the run is stopping. It is the loop's feeder,
/// so admission costs no thread hop per transfer.
///
/// Confined to the loop thread.
final class Admission: LoopFeeder {
    private let ready: ReadyQueue
    private let writer: RecordWriter
    private let pool: ParsePool?
    private let stop: CrawlStop
    private var scheduler: HostScheduler<CrawlJob>
    private let lookahead: Int
    /// Lines kept ready when every slot is busy: enough to refill them all twice.
    private let reserve: Int
    private let writerBacklogLimit: Int
    private let robotsLimits: TransferLimits
    private let userAgent: String
    /// Pages are parsed; bodies are saved (`CrawlOptions.bodyStore`).
    private let parsing: Bool
    private let saving: Bool
    /// Called once, with whether every line got its record (false: the run was stopped).
    private let onFinish: (_ completed: Bool) -> Void
    private var readerDone = false
    /// A stop was requested: completions only write records.
    private var stopping = false
    /// When the transfers still in flight at a stop are cut short.
    private var graceEnds: Nanoseconds?
    private let grace: Double
    private var nextID = 0
    /// Transfers of list lines in flight (robots.txt fetches aside).
    private var lineTransfers = 0 {
        didSet { monitor.setInFlight(lineTransfers) }
    }
    private let monitor: CrawlMonitor
    private var finished = false

    init(ready: ReadyQueue, writer: RecordWriter, pool: ParsePool?, stop: CrawlStop, options: CrawlOptions,
         monitor: CrawlMonitor, now: Nanoseconds, onFinish: @escaping (_ completed: Bool) -> Void) {
        self.ready = ready
        self.monitor = monitor
        self.writer = writer
        self.pool = pool
        self.stop = stop
        scheduler = HostScheduler(policy: options.scheduling, limit: options.concurrency, now: now)
        lookahead = max(1, options.scheduling.lookahead)
        reserve = min(lookahead, max(1024, 2 * options.concurrency))
        writerBacklogLimit = max(1024, 4 * options.concurrency)
        // RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt.
        robotsLimits = TransferLimits(timeout: min(10, options.fetch.timeout ?? 10), maxSize: 512 << 10)
        userAgent = options.fetch.userAgent
        parsing = options.parse
        saving = options.bodyStore != nil
        grace = max(0, options.grace)
        self.onFinish = onFinish
    }

    func feed(_ multi: CurlMulti) -> Nanoseconds? {
        guard !finished else { return nil }
        if writer.failed != nil || stop.isRequested {
            return drain(multi)
        }
        var deadline: Nanoseconds?
        // Keep a reserve of lines ready; look further ahead only while slots are idle, for
        // work they can take (another host behind a long run of a busy one).
        var target = reserve
        while true {
            if !readerDone && scheduler.waiting < target {
                let batch = ready.take(upTo: target - scheduler.waiting)
                readerDone = batch.drained
                for item in batch.items {
                    scheduler.add(CrawlJob(item: item))
                }
            }
            deadline = step(multi)
            // Slots are free and the look-ahead has room: take what the reader has now, or
            // be woken when it has more. (Skipped lines free look-ahead without a transfer
            // whose end would bring the loop back.)
            guard !readerDone, scheduler.waiting < lookahead, scheduler.inFlight < scheduler.limit, !backedUp,
                  ready.hasItemsOrAskForWake()
            else { break }
            target = lookahead
        }
        if readerDone && scheduler.isEmpty {
            finish()
        }
        return deadline
    }

    /// The record writer or the parse pool is behind: nothing starts until it catches up
    /// (it wakes the loop then).
    private var backedUp: Bool {
        writer.backlog >= writerBacklogLimit || pool?.isFull == true
    }

    /// Performs the scheduler's steps until it waits; returns when it wants to be asked again.
    private func step(_ multi: CurlMulti) -> Nanoseconds? {
        while !backedUp {
            switch scheduler.next(now: multi.now) {
            case .start(let ticket):
                start(ticket, on: multi)
            case .fetchRobots(let ticket):
                fetchRobots(ticket, on: multi)
            case .skip(let job, let attempts, let error):
                if attempts > 0, let last = job.last {
                    writer.submit(Record(item: job.item, response: last.response, attempts: attempts))
                } else {
                    writer.submit(Record(item: job.item, error: error))
                }
            case .wait(let until):
                return until
            case .blocked:
                return nil
            }
        }
        return nil
    }

    private func start(_ ticket: HostScheduler<CrawlJob>.Ticket, on multi: CurlMulti) {
        nextID += 1
        lineTransfers += 1
        multi.start(Request(url: ticket.job.url), id: nextID) { [unowned self, unowned multi] response in
            lineTransfers -= 1
            var ticket = ticket
            if response.error != nil || HostScheduler<CrawlJob>.isRetryable(status: response.status ?? 0) {
                // It may be retried, and a record written later from it.
                var last = response
                last.body = []
                ticket.job.last = LastAttempt(last)
            }
            switch scheduler.finished(ticket, Self.outcome(of: response), now: multi.now) {
            case .done:
                // Bodies kept were HTML or untyped (or any, when saving); only complete ones
                // are parsed or saved. An empty 2xx body is saved too, as an empty file.
                if let pool, response.error == nil, (parsing && !response.body.isEmpty) || (saving && response.ok) {
                    pool.submit(ticket.job.item, response, attempts: ticket.attempt)
                } else {
                    writer.submit(Record(item: ticket.job.item, response: response, attempts: ticket.attempt))
                }
            case .retry where stopping:
                // No retry comes now: say so, so that --resume tries again.
                var last = response
                last.body = []
                last.error = FetchError(.interrupted, "the run was interrupted before a retry")
                writer.submit(Record(item: ticket.job.item, response: last, attempts: ticket.attempt))
            case .retry:
                break
            }
        }
    }

    private func fetchRobots(_ ticket: HostScheduler<CrawlJob>.RobotsTicket, on multi: CurlMulti) {
        nextID += 1
        multi.start(Request(url: ticket.url), id: nextID, limits: robotsLimits) { [unowned self, unowned multi] response in
            guard !stopping else { return }
            let (rules, error) = Self.robots(from: response, userAgent: userAgent)
            scheduler.robotsFinished(ticket, rules: rules, disallowed: error, now: multi.now)
        }
    }

    /// The rules a robots.txt response sets, as RFC 9309 reads it: a 2xx body is parsed,
    /// a 4xx means there are none, and a 5xx or no answer means every URL is disallowed.
    static func robots(from response: Response, userAgent: String) -> (RobotsRules, FetchError) {
        if let error = response.error, error.kind != .tooManyRedirects {
            return (.disallowAll, FetchError(.robots, "robots.txt unreachable (\(error)); every URL of the host is treated as disallowed"))
        }
        switch response.status ?? 0 {
        case 200..<300:
            return (RobotsRules(parsing: response.body, userAgent: userAgent),
                    FetchError(.robots, "disallowed by \(response.url)"))
        case 500..<600:
            return (.disallowAll, FetchError(.robots, "robots.txt answered \(response.status ?? 0); every URL of the host is treated as disallowed"))
        default:
            // 4xx, or redirects that never ended (RFC 9309 2.3.1.2): no robots.txt, no rules.
            return (.allowAll, FetchError(.robots, "disallowed by \(response.url)"))
        }
    }

    static func outcome(of response: Response) -> AttemptOutcome {
        if let error = response.error { return .failure(error.kind, connecting: response.failedConnecting) }
        return .response(status: response.status ?? 0, retryAfter: response.retryAfter)
    }

    /// The run is stopping: nothing new starts, the jobs waiting for a retry get
    /// `interrupted` records, and the transfers in flight may finish until the grace period
    /// ends (at once if the output failed, or on a second stop request); then the rest are
    /// cut short with `interrupted` records (dropped if nobody reads the output any more).
    /// Returns when to look again.
    private func drain(_ multi: CurlMulti) -> Nanoseconds? {
        let error = FetchError(.interrupted, writer.failed != nil ? "output closed" : "the run was interrupted")
        if graceEnds == nil {
            stopping = true
            ready.cancel()
            graceEnds = multi.now + Nanoseconds(seconds: grace)
            for (job, attempts) in scheduler.takeRetries() {
                var last = job.last?.response ?? Response(url: job.url)
                last.error = error
                writer.submit(Record(item: job.item, response: last, attempts: attempts))
            }
        }
        // robots.txt fetches still running are not waited for: their answers are of no use now.
        guard let graceEnds, lineTransfers > 0, writer.failed == nil, !stop.isHurried, multi.now < graceEnds else {
            multi.cancelAll(error)
            finish()
            return nil
        }
        return graceEnds
    }

    private func finish() {
        finished = true
        onFinish(!stopping)
    }
}
