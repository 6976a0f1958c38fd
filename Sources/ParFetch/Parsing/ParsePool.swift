import Synchronization

/// The threads that turn finished responses with bodies into records: N workers fed through a
/// bounded queue, which parse HTML pages (when parsing is on), save 2xx bodies (with a
/// `BodyStore`) and parse robots.txt files, so none of that ever runs on the event loop. The loop hands over responses and
/// never waits: it stops admitting new transfers while the queue is full (`isFull`: too many
/// pages, or too many bytes of them), and the pool wakes it when there is room again.
final class ParsePool: Sendable {
    private enum Job {
        /// A page: parse it (or save it) and write its record.
        case page(ListItem, Response, attempts: Int)
        /// A robots.txt body: parse it and hand the rules back.
        case robots([UInt8], userAgent: String, then: @Sendable (RobotsRules) -> Void)

        var bytes: Int {
            switch self {
            case .page(_, let response, _): response.body.count + (response.capture?.byteCount ?? 0)
            case .robots(let body, _, _): body.count
            }
        }
    }

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var closed = false
        var count: Int { jobs.count - head }
    }

    private let state = ConditionLock(State())
    private let queued = Atomic<Int>(0)
    private let queuedBytes = Atomic<Int>(0)
    /// Body bytes queued at most before admission waits: with `capacity`, what bounds memory.
    let byteCapacity: Int
    private let threads: Mutex<[NativeThread]>
    private let roomHandler = Mutex<(@Sendable () -> Void)?>(nil)
    let capacity: Int

    /// Starts `workers` threads that parse with `rules` (unless `parse` is false) keeping at
    /// most `maxLinks` links a page (nil: all), save 2xx bodies to `store` (when given) and
    /// submit records to `writer`.
    init(workers: Int, capacity: Int, byteCapacity: Int, rules: [ExtractionRule], parse: Bool = true,
         maxLinks: Int? = nil, store: BodyStore? = nil, warcGzip: Bool? = nil, writer: RecordWriter) {
        if parse { LibXML.initialize() }
        self.capacity = max(1, capacity)
        self.byteCapacity = max(1, byteCapacity)
        threads = Mutex([])
        let started = (0..<max(1, workers)).map { _ in
            NativeThread { [self] in
                work(rules: parse ? rules : nil, maxLinks: maxLinks, store: store, warcGzip: warcGzip, writer: writer)
            }
        }
        threads.withLock { $0 = started }
    }

    /// Queues a response for parsing. Never blocks.
    func submit(_ item: ListItem, _ response: Response, attempts: Int = 1) {
        enqueue(.page(item, response, attempts: attempts))
    }

    /// Queues a robots.txt body; `then` gets its rules for `userAgent`, on a worker. Never blocks.
    func submitRobots(_ body: [UInt8], userAgent: String, then: @escaping @Sendable (RobotsRules) -> Void) {
        enqueue(.robots(body, userAgent: userAgent, then: then))
    }

    private func enqueue(_ job: Job) {
        queued.add(1, ordering: .relaxed)
        queuedBytes.add(job.bytes, ordering: .relaxed)
        let wasEmpty = state.withLock { state in
            state.jobs.append(job)
            return state.count == 1
        }
        // Workers sleep only on an empty queue; waking one per page would cost more than
        // parsing a small page.
        if wasEmpty { state.signal() }
    }

    /// Whether admission should wait for the workers.
    var isFull: Bool {
        queued.load(ordering: .relaxed) >= capacity || queuedBytes.load(ordering: .relaxed) >= byteCapacity
    }

    /// Called from a worker when the queue drops below capacity again.
    func onRoom(_ handler: @escaping @Sendable () -> Void) {
        roomHandler.withLock { $0 = handler }
    }

    /// Parses what is queued, then stops the workers and waits for them.
    func close() {
        state.withLock { $0.closed = true }
        state.broadcast()
        let all = threads.withLock { threads in
            defer { threads = [] }
            return threads
        }
        for thread in all { thread.join() }
    }

    /// `rules` nil: no parsing; `warcGzip` nil: no WARC records.
    private func work(rules: [ExtractionRule]?, maxLinks: Int?, store: BodyStore?, warcGzip: Bool?, writer: RecordWriter) {
        let parser = rules.map { PageParser(rules: $0, maxLinks: maxLinks) }
        let compressor = warcGzip == true ? GzipCompressor() : nil
        while true {
            let (job, more): (Job?, Bool) = state.withLock(when: { $0.count > 0 || $0.closed }) { state in
                guard state.count > 0 else { return (nil, false) }
                let job = state.jobs[state.head]
                state.head += 1
                if state.head == state.jobs.count {
                    state.jobs.removeAll(keepingCapacity: true)
                    state.head = 0
                } else if state.head >= 1024 {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return (job, state.count > 0)
            }
            guard let job else { return }
            // A worker that takes a job from a queue with more left lets a sleeping one help.
            if more { state.signal() }
            switch job {
            case .page(let item, let response, let attempts):
                var record = Record(item: item, response: response, attempts: attempts)
                // A response comes here for its capture alone when it failed or has no body.
                if response.error == nil && !response.body.isEmpty {
                    record.page = parser?.parse(response)
                }
                if response.error == nil {
                    store?.save(response, into: &record)
                }
                if warcGzip != nil, let capture = response.capture {
                    record.capture = WARCRecord.encode(capture, compressor: compressor)
                }
                writer.submit(record)
            case .robots(let body, let userAgent, let then):
                then(RobotsRules(parsing: body, userAgent: userAgent))
            }
            // Each counter's own before/after values say exactly whether this job crossed its
            // limit; reading `isFull` around the updates could miss a crossing.
            let bytes = queuedBytes.subtract(job.bytes, ordering: .relaxed)
            let pages = queued.subtract(1, ordering: .relaxed)
            if (pages.oldValue >= capacity && pages.newValue < capacity)
                || (bytes.oldValue >= byteCapacity && bytes.newValue < byteCapacity) {
                roomHandler.withLock { $0 }?()
            }
        }
    }
}
