import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Settings for a whole run.
public struct CrawlOptions: Sendable {
    public var fetch = FetchConfiguration()
    /// Transfers in flight at most.
    public var concurrency = 50
    /// Per-host limits, pacing, retries and robots.txt.
    public var scheduling = SchedulingPolicy()
    /// Seconds the transfers in flight may take to finish after a stop is requested, before
    /// they are cut short with `interrupted` records.
    public var grace: Double = 5
    /// Lines that already have a final record (`--resume`): they are skipped, without a record.
    public var completed = CompletedLines()
    /// Fetch each distinct URL once; later lines with it get a record with `duplicateOf`.
    public var dedupe = false
    /// Write records in input order, through a window of 4 × `concurrency` records: reading
    /// waits while the oldest unfinished line is that far behind.
    public var ordered = false
    /// Parse HTML pages for the record's page fields (false: fetch only).
    public var parse = true
    /// Threads that parse.
    public var parseWorkers = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// The user's `--select` / `--xpath` rules.
    public var rules: [ExtractionRule] = []
    /// The most links a record keeps (`--max-links`); a page with more gets the first ones and
    /// `links_truncated`. nil: no limit.
    public var maxLinks: Int? = 10_000
    /// Where to save the bodies of 2xx responses (`--save-dir`); nil: they are not saved.
    /// Every body is then kept in memory until a parse worker has saved it, within the parse
    /// queue's bounds, and each record of a saved body has `saved`.
    public var bodyStore: BodyStore?

    public init() {}
}

/// Asks a running crawl to stop, from any thread (a signal-handling thread, say): no new
/// transfer starts, those in flight may finish within `CrawlOptions.grace` (a second request
/// cuts them short) and the rest end with `interrupted` records; `Crawl.run` returns
/// `.stopped`. Lines never started get no record.
public final class CrawlStop: Sendable {
    private struct State {
        var requests = 0
        var handler: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    /// The first call stops the run gracefully; the next ones skip the grace period.
    public func request() {
        let handler = state.withLock { state in
            state.requests += 1
            return state.handler
        }
        handler?()
    }

    var isRequested: Bool { state.withLock { $0.requests > 0 } }

    /// A second request came: no grace.
    var isHurried: Bool { state.withLock { $0.requests > 1 } }

    /// Runs `handler` on each request, at once if one came already.
    func onRequest(_ handler: @escaping @Sendable () -> Void) {
        let requested = state.withLock { state in
            state.handler = handler
            return state.requests > 0
        }
        if requested { handler() }
    }
}

/// How a crawl ended.
public enum CrawlOutcome: Sendable, Equatable {
    /// Every line has its record.
    case completed
    /// Stopped by `CrawlStop`, or because the output could no longer be written.
    case stopped
}

/// A run over a URL list: a reader thread reads and checks lines, the event loop fetches them
/// (admission on the loop itself), and the record writer writes one record per line.
/// This is what the `parfetch` command runs.
public enum Crawl {
    /// Fetches every URL of `list` and writes a record for each line to `writer`. Returns
    /// when every line has a record, or early when `stop` is requested or the writer failed.
    /// Throws a `ListReaderError` if the list can't be read to its end (records already
    /// written stay valid).
    @discardableResult
    public static func run(
        list: ListReader, writer: RecordWriter, options: CrawlOptions, stop: CrawlStop = CrawlStop(),
        monitor: CrawlMonitor = CrawlMonitor()
    ) throws -> CrawlOutcome {
        if options.ordered {
            writer.keepInputOrder(window: 4 * options.concurrency)
        }
        var fetch = options.fetch
        fetch.bodies = options.bodyStore != nil ? .all : options.parse ? .html : .none
        let loop = try EventLoop(configuration: fetch)
        defer { loop.shutdown() }
        let ready = ReadyQueue(capacity: max(1024, 2 * min(options.concurrency, 1 << 20)))
        // nil while running; then whether every line got its record.
        let done = ConditionLock<Bool?>(nil)
        writer.onProgress(lowWater: options.concurrency) { loop.wake() }
        // The writer may outlive the run: it must not keep the loop (and its descriptors).
        defer { writer.onProgress(lowWater: Int.max) {} }
        // Saving writes files: on the pool's workers too, never on the loop.
        let pool = options.parse || options.bodyStore != nil
            ? ParsePool(workers: options.parseWorkers, capacity: 256, byteCapacity: 64 << 20,
                        rules: options.rules, parse: options.parse, maxLinks: options.maxLinks,
                        store: options.bodyStore, writer: writer)
            : nil
        pool?.onRoom { loop.wake() }
        defer { pool?.close() }

        let readFailure = ConditionLock<ListReaderError?>(nil)
        let source = UncheckedBox(list)
        let reader = NativeThread {
            var duplicates = options.dedupe ? Deduplicator() : nil
            var sequence = 0
            do {
                while !ready.isCancelled, var item = try source.value.next() {
                    // Before the resume check: a finished first line still makes later ones duplicates.
                    var duplicateOf: Int?
                    if case .success(let url) = item.target {
                        duplicateOf = duplicates?.earlierLine(for: url, line: item.line)
                    }
                    if options.completed.contains(line: item.line, url: item.text) {
                        monitor.lineSkipped()
                        continue
                    }
                    item.sequence = sequence
                    sequence += 1
                    writer.waitForTurn(item.sequence)
                    if ready.isCancelled { break }
                    if let duplicateOf {
                        writer.waitForRoom(below: 4 * RecordWriter.batchSize)
                        writer.submit(Record(item: item, duplicateOf: duplicateOf))
                        continue
                    }
                    switch item.target {
                    case .failure(let error):
                        writer.waitForRoom(below: 4 * RecordWriter.batchSize)
                        writer.submit(Record(item: item, error: error))
                    case .success:
                        guard let wake = ready.push(item) else { return }
                        if wake { loop.wake() }
                    }
                }
            } catch let error as ListReaderError {
                readFailure.withLock { $0 = error }
            } catch {}
            if ready.finish() { loop.wake() }
        }

        loop.execute { multi in
            multi.limitConnectionCache(options.concurrency)
            loop.setFeeder(Admission(ready: ready, writer: writer, pool: pool, stop: stop, options: options,
                                     monitor: monitor, now: System.monotonicNanoseconds()) { completed in
                done.withLock { $0 = completed }
                done.broadcast()
            })
        }
        stop.onRequest {
            ready.cancel()
            writer.releaseWaits()
            loop.wake()
        }
        let completed = done.withLock(when: { $0 != nil }) { $0 == true }
        ready.cancel()
        guard completed else {
            // The reader stops at its next line; it may be blocked reading a terminal or a
            // pipe, so it is not waited for (detached: it ends on its own).
            writer.releaseWaits()
            reader.detach()
            return .stopped
        }
        reader.join()
        if let failure = readFailure.withLock({ $0 }) { throw failure }
        return .completed
    }
}

/// Moves a non-Sendable value to another thread that becomes its only user.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
