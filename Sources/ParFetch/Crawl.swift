/// Settings for a whole run.
public struct CrawlOptions: Sendable {
    public var fetch = FetchConfiguration()
    /// Transfers in flight at most.
    public var concurrency = 50

    public init() {}
}

/// A run over a URL list: a reader thread reads and checks lines, the event loop fetches them
/// (admission on the loop itself), and the record writer writes one record per line.
/// This is what the `parfetch` command runs.
public enum Crawl {
    /// Fetches every URL of `list` and writes a record for each line to `writer`. Returns
    /// when every line has a record, or when the writer failed. Throws a `ListReaderError`
    /// if the list can't be read to its end (records already written stay valid).
    public static func run(list: ListReader, writer: RecordWriter, options: CrawlOptions) throws {
        var fetch = options.fetch
        fetch.keepBody = false
        let loop = try EventLoop(configuration: fetch)
        defer { loop.shutdown() }
        let ready = ReadyQueue(capacity: max(1024, 2 * options.concurrency))
        let done = ConditionLock(false)
        writer.onProgress(lowWater: options.concurrency) { loop.wake() }

        let readFailure = ConditionLock<ListReaderError?>(nil)
        let source = UncheckedBox(list)
        let reader = NativeThread {
            do {
                while let item = try source.value.next() {
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

        loop.execute { _ in
            loop.setFeeder(Admission(ready: ready, writer: writer, limit: options.concurrency) {
                done.withLock { $0 = true }
                done.broadcast()
            })
        }
        done.withLock(when: { $0 }) { _ in }
        ready.cancel()
        reader.join()
        if let failure = readFailure.withLock({ $0 }) { throw failure }
    }
}

/// Moves a non-Sendable value to another thread that becomes its only user.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
