import Synchronization

/// Live figures of a running crawl that records don't tell, for a progress display: read
/// from any thread while `Crawl.run` updates them.
public final class CrawlMonitor: Sendable {
    private let transfers = Atomic<Int>(0)
    private let skippedLines = Atomic<Int>(0)
    private let heldHosts = Atomic<Int>(0)

    public init() {}

    /// Transfers of list lines in flight now.
    public var inFlight: Int { transfers.load(ordering: .relaxed) }

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

    func setInFlight(_ count: Int) { transfers.store(count, ordering: .relaxed) }

    func perHostLimitHeld(hosts: Int) { heldHosts.store(hosts, ordering: .relaxed) }

    func lineSkipped() { skippedLines.add(1, ordering: .relaxed) }
}
