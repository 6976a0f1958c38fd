import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one writer of records: a thread that takes records from a queue, encodes them and
/// writes each batch with one `write` call, so every line is written whole and reaches the
/// file or pipe without waiting in a buffer. Producers never block; `backlog` lets them hold
/// back when the output is slower than the fetching.
public final class RecordWriter: Sendable {
    private struct State {
        var records: [Record] = []
        var closed = false
        /// The writer thread sleeps until `batchSize` records are queued, or `batchDelay`
        /// has passed: waking a thread on another core for each record would cost more than
        /// writing it.
        var writerWaiting = false
        /// A producer waits in `waitForRoom` or `waitForTurn`.
        var producerWaiting = false
        /// With `keepInputOrder`: the sequence of the next record to write.
        var nextSequence = 0
        /// The run is stopping: producers no longer wait.
        var waitsReleased = false
    }

    static let batchSize = 256
    static let batchDelay = Duration.milliseconds(10)

    private let fd: Int32
    private let ownsDescriptor: Bool
    private let format: RecordFormat
    /// Written before the first record: the format's header, unless the output already has data.
    private let header: [UInt8]
    private let state = ConditionLock(State())
    private let pending = Atomic<Int>(0)
    private let failure = Mutex<OutputError?>(nil)
    private let written = Atomic<Int>(0)
    private let threadBox = Mutex<NativeThread?>(nil)
    /// Called from the writer thread when the backlog falls to `lowWater` or when writing fails.
    private let notify = Mutex<(@Sendable () -> Void)?>(nil)
    private let observer = Mutex<RecordObserver?>(nil)
    private let lowWater = Atomic<Int>(Int.max)
    /// `keepInputOrder`'s window; nil: records are written as they come.
    private let orderWindow = Mutex<Int?>(nil)
    /// Where captures go (WARC), written before the lines of their records; used on the
    /// writer thread only once it runs.
    private let archive: WARCWriter?
    /// Every record written, added up: what a reader of the output has, not what was
    /// submitted (a failed write, such as a reader gone away, counts nothing).
    private let summary = Mutex(RunSummary())

    /// Writes to `fd` (not closed by the writer) in `format`. The format's header (CSV's) is
    /// written first, unless `fd` is a regular file that already has data where writing starts.
    /// Records' captures go to `archive`, each written whole before the record's line.
    public init(fileDescriptor fd: Int32, format: RecordFormat = .jsonLines, archive: WARCWriter? = nil) {
        self.fd = fd
        ownsDescriptor = false
        self.format = format
        self.archive = archive
        header = Self.continuesData(fd) ? [] : format.header
        start()
    }

    /// Creates or truncates `path` (or, with `append`, adds to its end) and writes to it in
    /// `format`, with the format's header first unless appending to a file that has data.
    /// Throws `OutputError` if it can't, or if another writer holds the file: each writer
    /// holds an exclusive lock on it until `close` (two runs resuming one file would write
    /// every missing record twice, and one truncating it would lose the other's). Records'
    /// captures go to `archive`, each written whole before the record's line.
    public init(path: String, append: Bool = false, format: RecordFormat = .jsonLines, archive: WARCWriter? = nil) throws {
        do {
            fd = try System.open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : 0))
        } catch let error as SystemError {
            throw OutputError.cannotOpen(path, errno: error.errno)
        }
        // Locked before truncating: what another run is writing must survive this attempt.
        if flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK {
            System.close(fd)
            throw OutputError.locked(path)
        }
        var info = stat()
        if !append, fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, ftruncate(fd, 0) != 0 {
            let truncateErrno = errno
            System.close(fd)
            throw OutputError.cannotTruncate(path, errno: truncateErrno)
        }
        ownsDescriptor = true
        self.format = format
        self.archive = archive
        header = Self.continuesData(fd) ? [] : format.header
        start()
    }

    /// Whether writes to `fd` land after data already in a regular file (appending to a
    /// non-empty file, or a shell's `>` shared by earlier commands): a header would then fall
    /// mid-file.
    private static func continuesData(_ fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
        if fcntl(fd, F_GETFL) & O_APPEND != 0 { return info.st_size > 0 }
        return lseek(fd, 0, SEEK_CUR) > 0
    }

    private func start() {
        let thread = NativeThread { [self] in run() }
        threadBox.withLock { $0 = thread }
    }

    /// Whether records' captures go to a WARC writer (nil: none), gzipped (true) or not.
    var archiveGzip: Bool? { archive?.gzip }

    /// Queues a record for writing. Never blocks (but for what `observe`'s observer does).
    public func submit(_ record: Record) {
        observer.withLock { $0 }?.see(record)
        pending.add(1, ordering: .relaxed)
        let wake = state.withLock { state in
            state.records.append(record)
            guard state.writerWaiting && state.records.count >= Self.batchSize else { return false }
            state.writerWaiting = false
            return true
        }
        if wake { state.broadcast() }
    }

    /// Blocks the calling thread while more than `limit` records are queued: for producers
    /// that may block (the list reader), so that a list of bad lines can't outrun the output.
    public func waitForRoom(below limit: Int) {
        state.withLock(when: { state in
            state.producerWaiting = state.records.count >= limit && !state.closed && !state.waitsReleased
            return !state.producerWaiting
        }) { _ in }
    }

    /// Writes records in the order of their `sequence` (input order) rather than as they
    /// come, holding back at most `window` of them; `waitForTurn` keeps producers within it.
    /// Call before submitting anything (`CrawlOptions.ordered` does).
    func keepInputOrder(window: Int) {
        orderWindow.withLock { $0 = max(1, window) }
    }

    /// With `keepInputOrder`: blocks while the record of `sequence` would fall outside the
    /// window (the oldest record not yet written is that far behind). For the list reader,
    /// so that one slow URL holds back the reading, not the memory.
    func waitForTurn(_ sequence: Int) {
        guard let window = orderWindow.withLock({ $0 }) else { return }
        state.withLock(when: { state in
            state.producerWaiting = sequence >= state.nextSequence + window && !state.closed && !state.waitsReleased
            return !state.producerWaiting
        }) { _ in }
    }

    /// Lets every producer waiting in `waitForRoom` or `waitForTurn` go, now and from now on:
    /// the run is stopping and they should see that.
    func releaseWaits() {
        state.withLock { $0.waitsReleased = true }
        state.broadcast()
    }

    /// Records queued but not yet written.
    public var backlog: Int { pending.load(ordering: .relaxed) }

    /// Records written.
    public var count: Int { written.load(ordering: .relaxed) }

    /// Reads the summary of the records written so far (all of them once `close` returned),
    /// without copying it.
    public func withSummary<T>(_ body: (RunSummary) -> T) -> T {
        summary.withLock { body($0) }
    }

    /// Why writing failed (`isBrokenPipe` when the reader went away); nil while all is well.
    /// Records submitted after a failure are dropped.
    public var failed: OutputError? { failure.withLock { $0 } }

    /// Has `observer` called with every record submitted from now on, on the submitting
    /// thread, before the record is queued: a crawl learns there what a page links to.
    func observe(_ observer: (@Sendable (Record) -> Void)?) {
        self.observer.withLock { $0 = observer.map(RecordObserver.init) }
    }

    /// Asks to be called (on the writer thread) when the backlog drops to `lowWater` after a
    /// write, and when writing fails.
    public func onProgress(lowWater: Int, _ handler: @escaping @Sendable () -> Void) {
        notify.withLock { $0 = handler }
        self.lowWater.store(lowWater, ordering: .relaxed)
    }

    /// Writes what is queued, stops the thread and closes the file. Returns the failure, if any.
    @discardableResult
    public func close() -> OutputError? {
        state.withLock { $0.closed = true }
        state.broadcast()
        threadBox.withLock { thread in
            thread?.join()
            thread = nil
        }
        if ownsDescriptor {
            if fsync(fd) != 0 {
                let syncErrno = errno
                if syncErrno != EINVAL && failed == nil {
                    failure.withLock { $0 = .cannotWrite(errno: syncErrno) }
                }
            }
            System.close(fd)
        }
        do {
            try archive?.close()
        } catch {
            if failed == nil { failure.withLock { $0 = error } }
        }
        return failed
    }

    private func run() {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        var header = header
        // Records that came before their turn, by sequence.
        var held: [Int: Record] = [:]
        var nextSequence = 0
        while true {
            let (batch, closed, wakeProducer) = state.withLock(when: { state in
                state.writerWaiting = !(state.records.count >= Self.batchSize || state.closed)
                return !state.writerWaiting
            }, timeout: Self.batchDelay) { state in
                state.writerWaiting = false
                defer { state.records = [] }
                let wakeProducer = state.producerWaiting
                state.producerWaiting = false
                return (state.records, state.closed, wakeProducer)
            }
            if wakeProducer { state.broadcast() }
            buffer.removeAll(keepingCapacity: true)
            if !header.isEmpty {
                buffer.append(contentsOf: header)
                header = []
            }
            var count = 0
            // The records whose lines are in `buffer`, counted once they are written.
            var encoded: [Record] = []
            // Read per batch: the order is set after the thread starts, before any record.
            if orderWindow.withLock({ $0 }) != nil {
                for record in batch {
                    precondition(record.sequence >= nextSequence && held[record.sequence] == nil,
                                 "a record out of sequence: ordered output takes only a crawl's records")
                    held[record.sequence] = record
                }
                while var record = held.removeValue(forKey: nextSequence) {
                    addCapture(of: &record)
                    format.encode(record, into: &buffer)
                    encoded.append(record)
                    nextSequence += 1
                    count += 1
                }
                if closed && batch.isEmpty {
                    // The run ended early: lines never started left gaps.
                    for sequence in held.keys.sorted() {
                        var record = held[sequence]!
                        addCapture(of: &record)
                        format.encode(record, into: &buffer)
                        encoded.append(record)
                        count += 1
                    }
                    held.removeAll()
                }
                if count > 0 {
                    state.withLock { $0.nextSequence = nextSequence }
                    state.broadcast()
                }
            } else {
                for var record in batch {
                    addCapture(of: &record)
                    format.encode(record, into: &buffer)
                }
                encoded = batch
                count = batch.count
            }
            if failed == nil && !buffer.isEmpty {
                do {
                    // The captures first: no line may point at records not yet written.
                    try archive?.flush()
                    try buffer.withUnsafeBytes { try System.writeAll(fd, $0) }
                    written.add(count, ordering: .relaxed)
                    if !encoded.isEmpty {
                        summary.withLock { summary in
                            for record in encoded { summary.add(record) }
                        }
                    }
                } catch let error as SystemError {
                    failure.withLock { $0 = .cannotWrite(errno: error.errno) }
                    notify.withLock { $0 }?()
                } catch let error as OutputError {
                    failure.withLock { $0 = error }
                    notify.withLock { $0 }?()
                } catch {}
            }
            // Records held for their turn count as taken: the window bounds them.
            let left = pending.subtract(batch.count, ordering: .relaxed).newValue
            let mark = lowWater.load(ordering: .relaxed)
            if left <= mark && left + batch.count > mark {
                notify.withLock { $0 }?()
            }
            if closed && batch.isEmpty { return }
        }
    }
}

extension RecordWriter {
    /// Adds `record`'s capture to the WARC output (on the writer thread) and points the record
    /// at it. A record whose capture can't be added is written without `warc`; the failure
    /// stops the run as any output failure does.
    private func addCapture(of record: inout Record) {
        guard let capture = record.capture else { return }
        record.capture = nil
        guard let archive, failed == nil else { return }
        do {
            record.warc = try archive.add(capture)
        } catch {
            failure.withLock { $0 = error }
        }
    }
}

/// `RecordWriter.observe`'s closure, boxed: a function value kept in a generic `Mutex` and
/// read back through `withLock` came back wrapped in one more reabstraction thunk at every
/// read (`(Record) -> ()` passes its argument indirectly there), until thousands of records
/// later calling it overflowed the stack.
private final class RecordObserver: Sendable {
    let see: @Sendable (Record) -> Void

    init(_ see: @escaping @Sendable (Record) -> Void) {
        self.see = see
    }
}
