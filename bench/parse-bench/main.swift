// Parse throughput on one HTML file, in the format of bench/parse_peers.py, which measures
// lxml and selectolax on the same file (see bench/README.md):
//
//     swift build -c release --product parse-bench
//     .build/release/parse-bench FILE [--mode scanner|fields] [--threads N] [--seconds S]
//     python3 bench/parse_peers.py FILE
//
// --mode scanner: PageScanner alone (title, description, lang, canonical, base, raw hrefs).
// --mode fields (default): everything a record's default page fields cost: charset detection
//   and decoding, the scan, resolving and de-duplicating every link, as the parse workers do.
// --threads N: N threads, each with its own parser, on copies of the page (parse-pool scaling).
// MB/s is 10^6 bytes of HTML per second, summed over threads.
import ParFetch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The whole file, or nil when it cannot be read.
func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if count == 0 { break }
        bytes.append(contentsOf: chunk[..<count])
    }
    return ferror(file) == 0 ? bytes : nil
}

func fail(_ message: String) -> Never {
    let line = message + "\nusage: parse-bench FILE [--mode scanner|fields] [--threads N] [--seconds S]\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(2)
}

struct Settings: Sendable {
    var html: [UInt8] = []
    var mode = "fields"
    var threads = 1
    var seconds = 2.0

    init(_ arguments: [String]) {
        var arguments = arguments
        guard !arguments.isEmpty, let html = readFile(arguments.removeFirst()) else { fail("no readable FILE") }
        self.html = html
        while !arguments.isEmpty {
            let flag = arguments.removeFirst()
            guard let value = arguments.first else { fail("\(flag) needs a value") }
            arguments.removeFirst()
            switch flag {
            case "--mode" where value == "scanner" || value == "fields": mode = value
            case "--threads": threads = Int(value) ?? 0
            case "--seconds": seconds = Double(value) ?? 0
            default: fail("bad argument \(flag) \(value)")
            }
        }
        guard threads >= 1, seconds > 0 else { fail("bad --threads or --seconds") }
    }
}

let settings = Settings(Array(CommandLine.arguments.dropFirst()))
let html = settings.html
let mode = settings.mode
let threads = settings.threads

/// Parses the page repeatedly for `settings.seconds`; returns (iterations, links, title).
func run(_ settings: Settings) -> (Int, Int, String) {
    let page = settings.html  // each thread its own copy
    let mode = settings.mode
    let seconds = settings.seconds
    let response = Response(url: "https://www.example-news.test/politics/2024/page.html",
                            finalURL: "https://www.example-news.test/politics/2024/page.html",
                            status: 200, contentType: "text/html", body: page)
    let parser = PageParser()
    let clock = ContinuousClock()
    let deadline = clock.now + .milliseconds(Int64(seconds * 1000))
    var iterations = 0
    var links = 0
    var title = ""
    repeat {
        if mode == "scanner" {
            let scanned = page.withUnsafeBufferPointer { PageScanner.scan($0) }
            links = scanned.links.count
            title = scanned.title ?? ""
        } else {
            let fields = parser.parse(response)
            links = fields?.links.count ?? 0
            title = fields?.title ?? ""
        }
        iterations += 1
    } while clock.now < deadline
    return (iterations, links, title)
}

final class Box {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Starts a thread running `body` (a plain pthread: the parse workers are plain threads too).
func spawn(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    var handle = pthread_t()
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    pthread_create(&handle, nil, { Unmanaged<Box>.fromOpaque($0!).takeRetainedValue().body(); return nil }, box)
    return handle
}

final class Results: Sendable {
    let total = Atomic<Int>(0)
    let sample = Mutex<(Int, String)>((0, ""))
}
let results = Results()
let clock = ContinuousClock()
let start = clock.now
let handles = (0..<threads).map { _ in
    spawn {
        let (iterations, links, title) = run(settings)
        results.total.add(iterations, ordering: .relaxed)
        results.sample.withLock { $0 = (links, title) }
    }
}
for handle in handles { pthread_join(handle, nil) }
let elapsed = clock.now - start
let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let iterations = results.total.load(ordering: .relaxed)
let megabytes = Double(html.count) * Double(iterations) / wall / 1e6
let (links, title) = results.sample.withLock { $0 }
let name = mode == "scanner" ? "parfetch-scanner" : "parfetch-fields"
print("\(name): \((megabytes * 10).rounded() / 10) MB/s, \((Double(iterations) / wall).rounded()) pages/s "
    + "(\(threads) thread\(threads == 1 ? "" : "s"), \(iterations) iterations, \(links) links, title=\(title))")
