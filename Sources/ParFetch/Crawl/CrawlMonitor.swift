import Synchronization

/// Live figures of a running crawl that records don't tell, for a progress display and the
/// notices at its end: read from any thread while `Crawl.run` updates them.
public final class CrawlMonitor: Sendable {
    /// The URLs not retried because their servers asked to wait too long, and the longest wait.
    public struct RefusedRetries: Sendable, Equatable {
        public var count: Int
        public var longestSeconds: Double
    }

    /// A crawl's URLs found and not fetched, by reason, each URL counted once.
    public struct Unfetched: Sendable, Equatable {
        /// Outside the crawl's scope.
        public var outOfScope = 0
        /// Not matched by an include pattern, or matched by an exclude pattern.
        public var excluded = 0
        /// Found on pages at the depth limit.
        public var overDepth = 0
        /// Beyond the page budgets.
        public var overBudget = 0
        /// Found at a depth beyond where they were fetched already: as the end of a redirect,
        /// or as a seed read after a page linked it.
        public var fetchedAlready = 0

        public init() {}
    }

    /// What a crawl found, at its end.
    public struct CrawlReport: Sendable, Equatable {
        /// Distinct URLs seen: seeds, links found, redirects' ends.
        public var seen = 0
        public var unfetched = Unfetched()
        /// What the sitemaps gave; nil when there were none to read.
        public var sitemaps: SitemapReport?
    }

    private let transfers = Atomic<Int>(0)
    private let crawl = Mutex<CrawlReport?>(nil)
    private let retries = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let skippedLines = Atomic<Int>(0)
    private let heldHosts = Atomic<Int>(0)
    private let refused = Mutex<RefusedRetries?>(nil)

    public init() {}

    /// Transfers of list lines in flight now.
    public var inFlight: Int { transfers.load(ordering: .relaxed) }

    /// Lines waiting for the time of their retry (they hold no transfer slot meanwhile).
    public var retrying: Int { retries.load(ordering: .relaxed) }

    /// The run is stopping (`CrawlStop`, or the output failed): nothing new starts, and the
    /// transfers in flight are finishing within the grace period.
    public var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Lines skipped without a record because an earlier run finished them (`--resume`).
    public var skipped: Int { skippedLines.load(ordering: .relaxed) }

    /// How many hosts held the run back the first time free transfer slots sat idle only
    /// because every host with work waiting was at `SchedulingPolicy.perHost` (with more
    /// work waiting than the idle slots could take); nil while that has not happened. The
    /// usual cause: a list of one host, where `concurrency` above `perHost` does nothing.
    public var hostsHeldByPerHostLimit: Int? {
        let hosts = heldHosts.load(ordering: .relaxed)
        return hosts > 0 ? hosts : nil
    }

    /// URLs that had retries left but were not retried, as their servers' Retry-After asked
    /// for more than `SchedulingPolicy.maxRetryWait` (their records have `retryAfter`); nil
    /// while there are none.
    public var retriesRefusedForRetryAfter: RefusedRetries? { refused.withLock { $0 } }

    /// A crawl's report, once it ended; nil for a list run.
    public var crawlReport: CrawlReport? { crawl.withLock { $0 } }

    func setCrawlReport(_ report: CrawlReport) { crawl.withLock { $0 = report } }

    func update(inFlight: Int, retrying: Int) {
        transfers.store(inFlight, ordering: .relaxed)
        retries.store(retrying, ordering: .relaxed)
    }

    func setStopping() { stopping.store(true, ordering: .relaxed) }

    func lineSkipped() { skippedLines.add(1, ordering: .relaxed) }

    func record(_ notice: AdmissionStateMachine.Notice) {
        switch notice {
        case .perHostLimitHolds(let hosts):
            heldHosts.store(hosts, ordering: .relaxed)
        case .retryAfterTooLong(let seconds):
            refused.withLock { refused in
                let sofar = refused ?? RefusedRetries(count: 0, longestSeconds: 0)
                refused = RefusedRetries(count: sofar.count + 1, longestSeconds: max(sofar.longestSeconds, seconds))
            }
        }
    }
}
