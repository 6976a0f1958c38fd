// A soak run through the library, as the command runs it: URLS lines mixing every fixture
// route (good pages, errors, resets, hangs, bombs, bad lines) at -j CONCURRENCY against a
// fixture server started separately, then three checks:
//   - exactly one record per line;
//   - peak RSS (VmHWM) at the end no more than 10 % above the peak when 10 % of the records
//     were written;
//   - open file descriptors after the run back to the count before it.
//
//   soak BASE_URL [URLS] [CONCURRENCY]     (bench/soak.sh starts the server and runs this)
//
// Prints the figures; exits 1 if a check fails.
import Foundation
import ParFetch

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: soak BASE_URL [URLS] [CONCURRENCY]\n".utf8))
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
    case 300..<420: return "\(base)/page/products.html?\(id)"
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
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    /// VmHWM (peak resident set) in kB.
    static func peakRSS() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parfetch-soak-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let listPath = directory.appendingPathComponent("urls.txt").path
let outputPath = directory.appendingPathComponent("records.jsonl").path
_ = FileManager.default.createFile(atPath: listPath, contents: nil)
let listHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: listPath))
var chunk = ""
for index in 1...count {
    chunk += line(index) + "\n"
    if chunk.utf8.count > 1 << 20 {
        listHandle.write(Data(chunk.utf8))
        chunk = ""
    }
}
listHandle.write(Data(chunk.utf8))
try listHandle.close()

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
let started = Date()
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
Thread.detachNewThread { [writer, tenth = count / 10] in
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
let seconds = Date().timeIntervalSince(started)
let descriptorsAfter = ProcessFigures.openDescriptors()

// One record per line: read the output back.
var seen = [UInt8](repeating: 0, count: count + 1)
var records = 0
var malformed = 0
let text = try String(contentsOfFile: outputPath, encoding: .utf8)
for recordLine in text.split(separator: "\n") {
    records += 1
    guard let object = try? JSONSerialization.jsonObject(with: Data(recordLine.utf8)) as? [String: Any],
          let number = object["line"] as? Int, (1...count).contains(number)
    else {
        malformed += 1
        continue
    }
    seen[number] = seen[number] &+ 1
}
let missing = (1...count).filter { seen[$0] == 0 }.count
let repeated = (1...count).filter { seen[$0] > 1 }.count
let summary = writer.withSummary { summary in
    summary.outcomes.map { "\($0.records) \($0.outcome)" }.joined(separator: ", ")
}
let growth = sampler.peakAtTenth > 0 ? Double(peakAtEnd - sampler.peakAtTenth) / Double(sampler.peakAtTenth) * 100 : .nan

print("soak: \(count) URLs at -j \(concurrency) against \(base): \(String(format: "%.1f", seconds)) s, outcome \(outcome)")
print("  records: \(records) (\(missing) lines without a record, \(repeated) with more than one, \(malformed) unreadable)")
print("  by outcome: \(summary)")
print("  peak RSS: \(sampler.peakAtTenth / 1024) MB at 10 % (\(sampler.recordsAtTenth) records), \(peakAtEnd / 1024) MB at 100 %: growth \(String(format: "%.1f", growth)) %")
print("  open descriptors: \(descriptorsBefore) before the run, \(descriptorsAfter) after")
print("  (RSS figures are VmHWM before the records are read back for the check, which /usr/bin/time's peak includes)")
var failed: [String] = []
if failure != nil { failed.append("output failed: \(failure!)") }
if outcome != .completed { failed.append("the run did not complete") }
if records != count || missing > 0 || repeated > 0 || malformed > 0 { failed.append("not exactly one record per line") }
if !(growth <= 10) { failed.append("peak RSS grew more than 10 % after the first 10 %") }
if descriptorsAfter != descriptorsBefore { failed.append("descriptors not back to the start count") }
if failed.isEmpty {
    print("soak: OK")
} else {
    print("soak: FAILED: " + failed.joined(separator: "; "))
    exit(1)
}
