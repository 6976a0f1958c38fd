/// Runs the intake stage on a thread of its own: reads the source, lets `Intake`
/// decide about each item, and performs the decision: skipped lines are counted, records of
/// lines that are not fetched go to the writer, work goes to admission through the ready
/// queue (blocking while it is full: that keeps a long list out of memory). With `--ordered`
/// each item waits for its turn in the writer's window first.
///
/// Reading may block on a terminal or a pipe, which is why this is not done on the loop.
final class IntakeThread: Sendable {
    private let thread: NativeThread
    /// Why a source could not be read to its end; set before the thread ends.
    private let failure = ConditionLock<(any Error)?>(nil)

    /// Starts reading `source`. `wake` wakes admission when the ready queue asks for it.
    init(source: any IntakeSource, intake: Intake, ready: ReadyQueue, writer: RecordWriter,
         monitor: CrawlMonitor, wake: @escaping @Sendable () -> Void) {
        // The source and the intake are used by the new thread alone.
        let owned = UncheckedBox((source, intake))
        let failure = failure
        thread = NativeThread {
            let source = owned.value.0
            var intake = owned.value.1
            do {
                while !ready.isCancelled, let item = try source.next() {
                    let decision = intake.take(item)
                    switch decision {
                    case .elsewhere, .skip: source.passed(item)
                    case .record, .admit: break
                    }
                    guard Self.perform(decision, ready: ready, writer: writer, monitor: monitor, wake: wake)
                    else { break }
                }
            } catch {
                failure.withLock { $0 = error }
            }
            if ready.finish() { wake() }
        }
    }

    /// Performs one decision; false when the run was cancelled meanwhile.
    private static func perform(_ decision: Intake.Decision, ready: ReadyQueue, writer: RecordWriter,
                                monitor: CrawlMonitor, wake: @Sendable () -> Void) -> Bool {
        switch decision {
        case .elsewhere:
            break
        case .skip:
            monitor.lineSkipped()
        case .record(let record):
            writer.waitForTurn(record.sequence)
            guard !ready.isCancelled else { return false }
            writer.waitForRoom(below: 4 * RecordWriter.batchSize)
            writer.submit(record)
        case .admit(let item):
            writer.waitForTurn(item.sequence)
            guard !ready.isCancelled, let asked = ready.push(item) else { return false }
            if asked { wake() }
        }
        return true
    }

    /// Waits for the thread, and throws what stopped it reading, if anything did.
    func join() throws {
        thread.join()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Lets the thread end on its own: it may be blocked reading a terminal or a pipe.
    func detach() {
        thread.detach()
    }
}
