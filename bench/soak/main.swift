// A soak run through the library, as the command runs it: URLS lines mixing every fixture
// route (good pages, errors, resets, hangs, bombs, the hostile routes, bad lines) at
// -j CONCURRENCY against a fixture server started separately, then three checks:
//   - exactly one record per line;
//   - peak RSS (VmHWM) at the end no more than 10 % above the peak when 10 % of the records
//     were written;
//   - open file descriptors after the run back to the count before it.
//
//   soak BASE_URL [URLS] [CONCURRENCY]     (bench/soak.sh starts the server and runs this)
//
// Prints the figures; exits 1 if a check fails.
// Glibc and Dispatch only: Foundation's ICU module and libxml2's system ICU headers (through
// ParFetch) clash in one module when built with a sanitizer.
import Dispatch
import Glibc
import ParFetch

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: soak BASE_URL [URLS] [CONCURRENCY]")
    exit(2)
}
let base = arguments[1]
let count = arguments.count > 2 ? Int(arguments[2])! : 200_000
let concurrency = arguments.count > 3 ? Int(arguments[3])! : 500

/// The fixture server under 25 host names (`hN.localhost`: libcurl resolves names under
/// .localhost to loopback itself), so that -j is spread as a crawl of many sites spreads it,
/// each host within `--per-host`. The 503s go to a host of their own: each halves its host's
/// window (as the scheduler should), and on a shared host they would keep it near 1.
let port = base.split(separator: ":").last!
let hostCount = 24

func line(_ index: Int) -> String {
    let slot = index % 1000
    let id = "soak=\(index)"
    let base = slot >= 740 && slot < 760 ? "http://throttled.localhost:\(port)" : "http://h\(index % hostCount).localhost:\(port)"
    switch slot {
    case 0..<300: return "\(base)/page/index.html?\(id)"
    case 300..<380: return "\(base)/page/products.html?\(id)"
    // The hostile routes: 4 % of the list.
    case 380..<384: return "\(base)/overlong?\(id)"
    case 384..<388: return "\(base)/endless?\(id)"
    case 388..<390: return "\(base)/huge-header?bytes=1000000&\(id)"
    case 390..<394: return "\(base)/bad-chunk?\(id)"
    case 394..<396: return "\(base)/trickle-headers?ms=500&\(id)"
    case 396..<398: return "\(base)/redirect-loop?\(id)"
    case 398..<402: return "\(base)/binary?bytes=100000&seed=\(index)&\(id)"
    case 402..<406: return "\(base)/bad-title?\(id)"
    case 406..<408: return "\(base)/nested?depth=10000&\(id)"
    case 408..<410: return "\(base)/links?count=20000&\(id)"
    case 410..<412: return "\(base)/redirect-to?url=file:///etc/passwd&\(id)"
    case 412..<420: return "\(base)/page/products.html?\(id)"
    case 420..<480: return "\(base)/page/article.html?\(id)"
    case 480..<520: return "\(base)/gzip/links.html?\(id)"
    case 520..<560: return "\(base)/chunked/entities.html?\(id)"
    case 560..<700: return "\(base)/delay/\(index % 50)?\(id)"
    case 700..<740: return "\(base)/status/404?\(id)"
    case 740..<760: return "\(base)/status/503?\(id)"
    case 760..<790: return "\(base)/redirect/3?\(id)"
    case 790..<800: return "\(base)/redirect-to?url=ftp://127.0.0.1/x&\(id)"
    case 800..<840: return "\(base)/bytes/20000?\(id)"
    case 840..<850: return "\(base)/bytes/3000000?\(id)"
    case 850..<870: return "\(base)/flaky?fail=1&id=\(index)"
    case 870..<880: return "\(base)/reset?\(id)"
    case 880..<890: return "\(base)/close-early?\(id)"
    case 890..<892: return "\(base)/hang?\(id)"
    case 892..<895: return "\(base)/gzip-bomb/64M?\(id)"
    case 895..<900: return "\(base)/page/latin1.html?\(id)"
    case 900..<950: return "\(base)/page/large.html?\(id)"
    case 950..<970: return "\(base)/page/broken.html?\(id)"
    case 970..<985: return "not a url \(index)"
    case 985..<995: return "ftp://127.0.0.1/\(id)"
    default: return "\(base)/status/200?\(id)"
    }
}

enum ProcessFigures {
    /// What the open descriptors are (/proc/self/fd's links), less the one reading it opens.
    static func openDescriptors() -> [String] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        var targets: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name != "." && name != ".." else { continue }
            var target = [CChar](repeating: 0, count: 512)
            let length = readlink("/proc/self/fd/" + name, &target, 511)
            targets.append(name + " -> " + (length > 0 ? String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"))
        }
        return targets.filter { !$0.hasSuffix("/fd") }.sorted()
    }

    /// VmHWM (peak resident set) in kB.
    static func peakRSS() -> Int {
        var peak = 0
        forEachLine(of: "/proc/self/status") { line in
            if line.hasPrefix("VmHWM:") { peak = Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0 }
        }
        return peak
    }

    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// Calls `body` with each line of the file at `path`, without its newline.
func forEachLine(of path: String, _ body: (String) -> Void) {
    guard let file = fopen(path, "r") else { return }
    defer { fclose(file) }
    var buffer: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(buffer) }
    while true {
        let length = getline(&buffer, &capacity, file)
        if length < 0 { return }
        var line = String(cString: buffer!)
        if line.hasSuffix("\n") { line.removeLast() }
        body(line)
    }
}

final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

func startThread(_ run: @escaping () -> Void) {
    var thread = pthread_t()
    let body = Unmanaged.passRetained(ThreadBody(run)).toOpaque()
    let created = pthread_create(&thread, nil, { context in
        Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
        return nil
    }, body)
    precondition(created == 0, "pthread_create failed")
    pthread_detach(thread)
}

func formatted(_ value: Double) -> String {
    (value * 10).rounded().isFinite ? "\(Double(Int((value * 10).rounded())) / 10)" : "nan"
}

var template = Array("/tmp/parfetch-soak-XXXXXX".utf8CString)
guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
let directory = String(cString: made)
defer {
    unlink(directory + "/urls.txt")
    unlink(directory + "/records.jsonl")
    rmdir(directory)
}
let listPath = directory + "/urls.txt"
let outputPath = directory + "/records.jsonl"
guard let listFile = fopen(listPath, "w") else { fatalError("cannot write \(listPath)") }
for index in 1...count {
    fputs(line(index) + "\n", listFile)
}
fclose(listFile)

// -j 500 needs more than the usual 1,024 descriptors (the command raises the limit the same way).
var limit = rlimit()
getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
limit.rlim_cur = limit.rlim_max
setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)

var options = CrawlOptions()
options.concurrency = concurrency
options.scheduling.perHost = max(1, concurrency / hostCount)
options.scheduling.retries = 1
options.fetch.timeout = 2
options.fetch.maxSize = 1 << 20

let descriptorsBefore = ProcessFigures.openDescriptors()
let started = ProcessFigures.seconds()
let writer = try RecordWriter(path: outputPath)
let monitor = CrawlMonitor()

// Samples the peak when a tenth of the records are out.
final class Sampler: @unchecked Sendable {
    // Written by the sampling thread, read after `done` was signalled.
    var peakAtTenth = 0
    var recordsAtTenth = 0
    let done = DispatchSemaphore(value: 0)
}
let sampler = Sampler()
let stopSampling = DispatchSemaphore(value: 0)
// A plain thread: Dispatch's worker threads would open descriptors of their own (epoll,
// eventfd, timerfd) during the run and blur the descriptor check.
startThread { [writer, tenth = count / 10] in
    while stopSampling.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
        let records = writer.withSummary { $0.records }
        if sampler.peakAtTenth == 0 && records >= tenth {
            sampler.peakAtTenth = ProcessFigures.peakRSS()
            sampler.recordsAtTenth = records
        }
    }
    sampler.done.signal()
}
// The list is released with the run (its descriptor with it).
let outcome = try Crawl.run(list: ListReader(path: listPath), writer: writer, options: options, monitor: monitor)
let failure = writer.close()
stopSampling.signal()
sampler.done.wait()
let peakAtEnd = ProcessFigures.peakRSS()
let seconds = ProcessFigures.seconds() - started
let descriptorsAfter = ProcessFigures.openDescriptors()

// One record per line: read the output back.
var seen = [UInt8](repeating: 0, count: count + 1)
var records = 0
var malformed = 0
// Records begin with their line number ({"line":N,...}): that is all the check needs.
forEachLine(of: outputPath) { record in
    records += 1
    guard record.hasPrefix("{\"line\":"), record.hasSuffix("}"),
          let number = Int(record.dropFirst(8).prefix { $0.isNumber }), (1...count).contains(number)
    else {
        malformed += 1
        return
    }
    seen[number] = seen[number] &+ 1
}
let missing = (1...count).filter { seen[$0] == 0 }.count
let repeated = (1...count).filter { seen[$0] > 1 }.count
let summary = writer.withSummary { summary in
    summary.outcomes.map { "\($0.records) \($0.outcome)" }.joined(separator: ", ")
}
let growth = sampler.peakAtTenth > 0 ? Double(peakAtEnd - sampler.peakAtTenth) / Double(sampler.peakAtTenth) * 100 : .nan

print("soak: \(count) URLs at -j \(concurrency) against \(base): \(formatted(seconds)) s, outcome \(outcome)")
print("  records: \(records) (\(missing) lines without a record, \(repeated) with more than one, \(malformed) unreadable)")
print("  by outcome: \(summary)")
print("  peak RSS: \(sampler.peakAtTenth / 1024) MB at 10 % (\(sampler.recordsAtTenth) records), \(peakAtEnd / 1024) MB at 100 %: growth \(formatted(growth)) %")
print("  open descriptors: \(descriptorsBefore.count) before the run, \(descriptorsAfter.count) after")
if descriptorsAfter.count != descriptorsBefore.count {
    print("    before: \(descriptorsBefore.joined(separator: ", "))")
    print("    after: \(descriptorsAfter.joined(separator: ", "))")
}
print("  (RSS figures are VmHWM before the records are read back for the check, which /usr/bin/time's peak includes)")
var failed: [String] = []
if failure != nil { failed.append("output failed: \(failure!)") }
if outcome != .completed { failed.append("the run did not complete") }
if records != count || missing > 0 || repeated > 0 || malformed > 0 { failed.append("not exactly one record per line") }
if !(growth <= 10) { failed.append("peak RSS grew more than 10 % after the first 10 %") }
if descriptorsAfter.count != descriptorsBefore.count { failed.append("descriptors not back to the start count") }
if failed.isEmpty {
    print("soak: OK")
} else {
    print("soak: FAILED: " + failed.joined(separator: "; "))
    exit(1)
}
