/// Performs admission on the loop thread: asks `AdmissionStateMachine` what to do on every
/// turn and does it: takes lines from the ready queue, starts transfers and robots.txt
/// fetches on the multi handle, writes records, and hands finished transfers (and robots.txt
/// bodies) to the parse pool. It is the loop's feeder, so admission costs no thread hop per
/// transfer; it decides nothing itself.
///
/// Confined to the loop thread.
final class Admission: LoopFeeder {
    private var machine: AdmissionStateMachine
    private let ready: ReadyQueue
    private let writer: RecordWriter
    private let pool: ParsePool?
    private let stop: CrawlStop
    private let monitor: CrawlMonitor
    private let loop: EventLoop
    private let writerBacklogLimit: Int
    private let robotsLimits: TransferLimits
    private let userAgent: String
    /// The run's request, which a line's own (`ListItem.request`) adds to.
    private let runRequest: LineRequest?
    private var nextID = 0
    /// Called once, with whether every line got its record (false: the run was stopped).
    private let onFinish: (_ completed: Bool) -> Void

    init(ready: ReadyQueue, writer: RecordWriter, pool: ParsePool?, stop: CrawlStop, options: CrawlOptions,
         monitor: CrawlMonitor, loop: EventLoop, now: Nanoseconds, onFinish: @escaping (_ completed: Bool) -> Void) {
        machine = AdmissionStateMachine(options: options, now: now)
        self.ready = ready
        self.writer = writer
        self.pool = pool
        self.stop = stop
        self.monitor = monitor
        self.loop = loop
        writerBacklogLimit = max(1024, 4 * options.concurrency)
        // RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt.
        robotsLimits = TransferLimits(timeout: min(10, options.fetch.timeout ?? 10), maxSize: 512 << 10)
        userAgent = options.fetch.userAgent
        runRequest = options.request
        self.onFinish = onFinish
    }

    func feed(_ multi: CurlMulti) -> Nanoseconds? {
        guard !machine.isFinished else { return nil }
        if writer.failed != nil || stop.isRequested {
            ready.cancel()
            let cause: AdmissionStateMachine.StopCause =
                writer.failed != nil ? .outputFailed : .requested(hurried: stop.isHurried)
            for record in machine.stop(cause, now: multi.now) { writer.submit(record) }
            monitor.setStopping()
        }
        machine.beginTurn()
        defer { monitor.update(inFlight: machine.lineTransfers, retrying: machine.retrying) }
        while true {
            switch machine.next(now: multi.now, backedUp: backedUp) {
            case .take(let limit, let askingForWake):
                if askingForWake && !ready.hasItemsOrAskForWake() {
                    machine.linesTaken(EmptyCollection(), drained: false)
                } else {
                    let batch = ready.take(upTo: limit)
                    machine.linesTaken(batch.items, drained: batch.drained)
                }
            case .start(let ticket):
                start(ticket, on: multi)
            case .fetchRobots(let ticket):
                fetchRobots(ticket, on: multi)
            case .write(let record):
                writer.submit(record)
            case .notice(let notice):
                monitor.record(notice)
            case .wait(let until):
                return until
            case .idle:
                return nil
            case .finish(let completed, let cancelling):
                if let cancelling { multi.cancelAll(cancelling) }
                onFinish(completed)
                return nil
            }
        }
    }

    /// The record writer or the parse pool is behind: nothing starts until it catches up
    /// (it wakes the loop then).
    private var backedUp: Bool {
        writer.backlog >= writerBacklogLimit || pool?.isFull == true
    }

    private func start(_ ticket: AdmissionStateMachine.Scheduler.Ticket, on multi: CurlMulti) {
        nextID += 1
        multi.start(request(for: ticket.job), id: nextID) { [unowned self, unowned multi] response in
            switch machine.transferFinished(ticket, response, now: multi.now) {
            case .parse(let item, let response, let attempts):
                // The machine routes pages to the pool only when there is one.
                pool!.submit(item, response, attempts: attempts)
            case .write(let record):
                writer.submit(record)
            case .retry:
                break
            }
            monitor.update(inFlight: machine.lineTransfers, retrying: machine.retrying)
        }
    }

    /// The line's request: its own method, headers and body over the run's.
    private func request(for job: CrawlJob) -> Request {
        let url = job.url.absolute
        let line = job.item.request
        guard runRequest != nil || line != nil else { return Request(url: url) }
        let runHeaders = runRequest?.headers ?? []
        let lineHeaders = line?.headers.filter { !runHeaders.contains($0) } ?? []
        return Request(url: url, headers: runHeaders + lineHeaders, method: line?.method ?? runRequest?.method,
                       body: line?.body ?? runRequest?.body)
    }

    private func fetchRobots(_ ticket: AdmissionStateMachine.Scheduler.RobotsTicket, on multi: CurlMulti) {
        nextID += 1
        multi.start(Request(url: ticket.url), id: nextID, limits: robotsLimits) { [unowned self, unowned multi] response in
            guard let body = machine.robotsFetched(ticket, response, now: multi.now) else { return }
            // Parsed on a worker, never on the loop; the rules come back as a task on the loop.
            // The admission is only ever touched on the loop thread, in that task.
            let admission = UncheckedBox(self)
            let loop = loop
            pool!.submitRobots(body, userAgent: userAgent) { rules in
                loop.execute { multi in
                    admission.value.machine.robotsParsed(ticket, rules, now: multi.now)
                }
            }
        }
    }
}
