/// Decides, on the loop thread, when the next URL starts: at most `limit` transfers in flight,
/// none while the record writer or the parse pool is backed up, and none once the run is
/// stopping. It is the
/// loop's feeder, so admission costs no thread hop per transfer.
///
/// Confined to the loop thread.
final class Admission: LoopFeeder {
    private let ready: ReadyQueue
    private let writer: RecordWriter
    private let pool: ParsePool?
    private let stop: CrawlStop
    private let limit: Int
    private let writerBacklogLimit: Int
    private let onFinish: () -> Void
    private var inFlight = 0
    private var nextID = 0
    private var finished = false

    init(ready: ReadyQueue, writer: RecordWriter, pool: ParsePool?, stop: CrawlStop, limit: Int,
         onFinish: @escaping () -> Void) {
        self.ready = ready
        self.writer = writer
        self.pool = pool
        self.stop = stop
        self.limit = max(1, limit)
        writerBacklogLimit = max(1024, 4 * self.limit)
        self.onFinish = onFinish
    }

    func feed(_ multi: CurlMulti) {
        guard !finished else { return }
        if writer.failed != nil || stop.isRequested {
            // Stop everything: the transfers in flight get `interrupted` records (dropped if
            // nobody reads the output any more).
            ready.cancel()
            multi.cancelAll(FetchError(.interrupted, writer.failed != nil ? "output closed" : "the run was interrupted"))
            return finish()
        }
        var drained = false
        if inFlight < limit && writer.backlog < writerBacklogLimit && pool?.isFull != true {
            let batch = ready.take(upTo: limit - inFlight)
            drained = batch.drained
            for item in batch.items {
                guard case .success(let url) = item.target else {
                    preconditionFailure("the reader queues only fetchable lines")
                }
                inFlight += 1
                nextID += 1
                multi.start(Request(url: url), id: nextID) { [unowned self] response in
                    inFlight -= 1
                    // Bodies kept were HTML (or untyped); only complete ones are parsed.
                    if let pool, response.error == nil, !response.body.isEmpty {
                        pool.submit(item, response)
                    } else {
                        writer.submit(Record(item: item, response: response))
                    }
                }
            }
        }
        if drained && inFlight == 0 {
            finish()
        }
    }

    private func finish() {
        finished = true
        onFinish()
    }
}
