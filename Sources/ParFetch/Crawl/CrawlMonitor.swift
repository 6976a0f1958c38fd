import Synchronization

/// Live figures of a running crawl that records don't tell, for a progress display: read
/// from any thread while `Crawl.run` updates them.
public final class CrawlMonitor: Sendable {
    private let transfers = Atomic<Int>(0)
    private let skippedLines = Atomic<Int>(0)

    public init() {}

    /// Transfers of list lines in flight now.
    public var inFlight: Int { transfers.load(ordering: .relaxed) }

    /// Lines skipped without a record because an earlier run finished them (`--resume`).
    public var skipped: Int { skippedLines.load(ordering: .relaxed) }

    func setInFlight(_ count: Int) { transfers.store(count, ordering: .relaxed) }

    func lineSkipped() { skippedLines.add(1, ordering: .relaxed) }
}
