/// A run over URL lists: connects the stages. The intake thread reads and checks lines and
/// decides about each (`Intake`), the event loop fetches them (admission on the loop itself,
/// `Admission`), the parse pool parses pages and robots.txt, and the record writer writes one
/// record per line. This is what the `parfetch` command runs.
public enum Crawl {
    /// Fetches every URL of `inputs` and writes a record for each line to `writer`. Returns
    /// when every line has a record, or early when `stop` is requested or the writer failed.
    /// Throws what the list reader threw (a `ListReaderError`) if a list can't be read to its
    /// end (records already written stay valid).
    @discardableResult
    public static func run(
        inputs: ListInputs, writer: RecordWriter, options: CrawlOptions, stop: CrawlStop = CrawlStop(),
        monitor: CrawlMonitor = CrawlMonitor()
    ) throws -> CrawlOutcome {
        // The record writer's WARC output decides whether exchanges are captured.
        let options = { () -> CrawlOptions in
            var options = options
            options.warcGzip = writer.archiveGzip
            return options
        }()
        if options.ordered {
            writer.keepInputOrder(window: 4 * options.concurrency)
        }
        var fetch = options.fetch
        fetch.bodies = options.bodyStore != nil ? .all : options.parse ? .html : .none
        fetch.capturesExchanges = options.warcGzip != nil
        let loop = try EventLoop(configuration: fetch, redirectScope: options.crawl?.scope)
        defer { loop.shutdown() }
        // A crawl reads its inputs as seeds, then the links its pages add to the frontier.
        let frontier = try options.crawl.map { settings in
            try Frontier(seeds: inputs, settings: settings, file: settings.frontierPath.map {
                try FrontierFile(path: $0, resuming: settings.resuming)
            } ?? FrontierFile(temporaryIn: System.temporaryDirectory)) { urls in
                fetchWaiting(urls, on: loop, timeout: options.fetch.timeout)
            }
        }
        if let frontier {
            writer.observe { frontier.finished($0) }
        }
        defer {
            if let frontier {
                writer.observe(nil)
                frontier.cancel()
                monitor.setCrawlReport(CrawlMonitor.CrawlReport(
                    seen: frontier.seenCount, unfetched: frontier.unfetchedCounts, sitemaps: frontier.sitemapReport))
            }
        }
        let ready = ReadyQueue(capacity: max(1024, 2 * min(options.concurrency, 1 << 20)))
        // nil while running; then whether every line got its record.
        let done = ConditionLock<Bool?>(nil)
        writer.onProgress(lowWater: options.concurrency) { loop.wake() }
        // The writer may outlive the run: it must not keep the loop (and its descriptors).
        defer { writer.onProgress(lowWater: Int.max) {} }
        // Parsing, saving (it writes files), WARC records and robots.txt all run on the pool,
        // never on the loop.
        let pool = options.parse || options.bodyStore != nil || options.scheduling.robots || options.warcGzip != nil
            ? ParsePool(workers: options.parseWorkers, capacity: 256, byteCapacity: 64 << 20,
                        rules: options.rules, parse: options.parse, maxLinks: options.maxLinks,
                        store: options.bodyStore, warcGzip: options.warcGzip, writer: writer)
            : nil
        pool?.onRoom { loop.wake() }
        defer { pool?.close() }

        // A crawl fetches each URL once: its seeds are de-duplicated like a list's lines.
        let intake = IntakeThread(source: frontier ?? inputs,
                                  intake: Intake(dedupe: options.dedupe || frontier != nil, completed: options.completed,
                                                 shard: options.shard, since: options.since),
                                  ready: ready, writer: writer, monitor: monitor) { loop.wake() }
        loop.execute { multi in
            multi.limitConnectionCache(options.concurrency)
            loop.setFeeder(Admission(ready: ready, writer: writer, pool: pool, stop: stop, options: options,
                                     monitor: monitor, loop: loop, now: System.monotonicNanoseconds()) { completed in
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
            frontier?.cancel()
            writer.releaseWaits()
            intake.detach()
            return .stopped
        }
        try intake.join()
        return .completed
    }

    /// `run(inputs:…)` over one list.
    @discardableResult
    public static func run(
        list: ListReader, writer: RecordWriter, options: CrawlOptions, stop: CrawlStop = CrawlStop(),
        monitor: CrawlMonitor = CrawlMonitor()
    ) throws -> CrawlOutcome {
        try run(inputs: ListInputs(list), writer: writer, options: options, stop: stop, monitor: monitor)
    }

    /// Fetches `urls` at once on `loop` (sitemaps: every body kept, up to the protocol's
    /// 50 MB) and waits for all of them; for the intake thread, before pages are fetched.
    private static func fetchWaiting(_ urls: [String], on loop: EventLoop, timeout: Double?) -> [Response] {
        let responses = ConditionLock([Response?](repeating: nil, count: urls.count))
        let limits = TransferLimits(timeout: timeout ?? 60, maxSize: 52_428_800)
        for (index, url) in urls.enumerated() {
            let started = loop.execute { multi in
                // Negative ids: admission numbers its transfers from 1 on the same loop.
                multi.start(Request(url: url), id: -1 - index, limits: limits) { response in
                    responses.withLock { $0[index] = response }
                    responses.broadcast()
                }
            }
            if !started {
                responses.withLock { $0[index] = Response(url: url, error: FetchError(.interrupted, "the run is stopping")) }
            }
        }
        return responses.withLock(when: { $0.allSatisfy { $0 != nil } }) { $0.map { $0! } }
    }
}
