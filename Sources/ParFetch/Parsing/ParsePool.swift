import Synchronization

/// The threads that turn finished responses with bodies into records: N workers fed through a
/// bounded queue, which parse HTML pages (when parsing is on) and save 2xx bodies (with a
/// `BodyStore`), so neither ever runs on the event loop. The loop hands over responses and
/// never waits: it stops admitting new transfers while the queue is full (`isFull`: too many
/// pages, or too many bytes of them), and the pool wakes it when there is room again.
final class ParsePool: Sendable {
    private struct Job {
        let item: ListItem
        let response: Response
        let attempts: Int
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
         maxLinks: Int? = nil, store: BodyStore? = nil, writer: RecordWriter) {
        if parse { LibXML.initialize() }
        self.capacity = max(1, capacity)
        self.byteCapacity = max(1, byteCapacity)
        threads = Mutex([])
        let started = (0..<max(1, workers)).map { _ in
            NativeThread { [self] in work(rules: parse ? rules : nil, maxLinks: maxLinks, store: store, writer: writer) }
        }
        threads.withLock { $0 = started }
    }

    /// Queues a response for parsing. Never blocks.
    func submit(_ item: ListItem, _ response: Response, attempts: Int = 1) {
        queued.add(1, ordering: .relaxed)
        queuedBytes.add(response.body.count, ordering: .relaxed)
        let wasEmpty = state.withLock { state in
            state.jobs.append(Job(item: item, response: response, attempts: attempts))
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

    /// `rules` nil: no parsing.
    private func work(rules: [ExtractionRule]?, maxLinks: Int?, store: BodyStore?, writer: RecordWriter) {
        let parser = rules.map { PageParser(rules: $0, maxLinks: maxLinks) }
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
            var record = Record(item: job.item, response: job.response, attempts: job.attempts)
            record.page = parser?.parse(job.response)
            store?.save(job.response, into: &record)
            writer.submit(record)
            // Each counter's own before/after values say exactly whether this job crossed its
            // limit; reading `isFull` around the updates could miss a crossing.
            let bytes = queuedBytes.subtract(job.response.body.count, ordering: .relaxed)
            let pages = queued.subtract(1, ordering: .relaxed)
            if (pages.oldValue >= capacity && pages.newValue < capacity)
                || (bytes.oldValue >= byteCapacity && bytes.newValue < byteCapacity) {
                roomHandler.withLock { $0 }?()
            }
        }
    }
}
