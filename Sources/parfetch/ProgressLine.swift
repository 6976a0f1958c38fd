import Dispatch
import ParFetch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The progress line on standard error: redrawn in place at most 10 times a second from the
/// records written so far and the crawl's live figures, cleared when the run ends. Records go
/// to standard output or a file, never here, so the line never mixes with them.
///
/// `@unchecked Sendable`: `timer` is a `let`, and dispatch sources may be used from any thread.
final class ProgressLine: @unchecked Sendable {
    private struct State {
        /// (time, lines done) over the last few seconds, for a rate that follows changes.
        var samples: [(time: UInt64, done: Int)] = []
        var drawn = false
    }

    private static let interval = DispatchTimeInterval.milliseconds(100)
    /// The rate is measured over this much recent time.
    private static let window: UInt64 = 5_000_000_000

    private let writer: RecordWriter
    private let monitor: CrawlMonitor
    private let style: ProgressText.Style
    private let started = DispatchTime.now().uptimeNanoseconds
    /// Lines the list holds (nil while being counted, or for standard input).
    private let total = Mutex<Int?>(nil)
    private let state = Mutex(State())
    private let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "parfetch.progress"))

    /// `counted`: the inputs' lines are all this run's (not so with `--shard`), so their
    /// count is the total.
    init(writer: RecordWriter, monitor: CrawlMonitor, inputs: [String], counted: Bool, color: Bool) {
        self.writer = writer
        self.monitor = monitor
        style = ProgressText.Style(color: color)
        guard counted else { return }
        // Counting a long list takes a moment: the line shows what it has meanwhile.
        DispatchQueue.global().async { [self] in
            let count = ListInputs.countEntries(arguments: inputs)
            total.withLock { $0 = count }
        }
    }

    /// Starts drawing; call once.
    func start() {
        timer.schedule(deadline: .now() + Self.interval, repeating: Self.interval)
        timer.setEventHandler { [self] in draw() }
        timer.resume()
    }

    /// Stops redrawing and erases the line. Call once, after `start`.
    func stop() {
        // Waits out a draw in progress: the cancel handler runs on the timer's queue after it.
        let finished = DispatchSemaphore(value: 0)
        timer.setCancelHandler { finished.signal() }
        timer.cancel()
        finished.wait()
        if state.withLock({ $0.drawn }) { Self.write("\r\u{1B}[K") }
    }

    private func draw() {
        let now = DispatchTime.now().uptimeNanoseconds
        let (records, errors, bytes) = writer.withSummary { ($0.records, $0.errors, $0.bytes) }
        let done = records + monitor.skipped
        let rate: Double? = state.withLock { state in
            state.samples.append((now, done))
            while let first = state.samples.first, now - first.time > Self.window { state.samples.removeFirst() }
            guard let first = state.samples.first, now - first.time >= 500_000_000 else { return nil }
            return Double(done - first.done) / (Double(now - first.time) / 1e9)
        }
        let figures = ProgressText.Figures(
            done: done, total: total.withLock { $0 }, perSecond: rate, inFlight: monitor.inFlight,
            retrying: monitor.retrying, errors: errors, bytes: bytes, elapsed: Double(now - started) / 1e9,
            stopping: monitor.isStopping)
        var size = winsize()
        let columns = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 ? Int(size.ws_col) : 0
        let line = ProgressText.render(figures, width: columns > 0 ? columns : 80, style: style)
        Self.write("\r" + line + "\u{1B}[K")
        state.withLock { $0.drawn = true }
    }

    private static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
