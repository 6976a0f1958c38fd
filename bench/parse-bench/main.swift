// Single-thread throughput of the page scanner (title, description, links, … from raw bytes)
// on one HTML file, in the format of bench/parse_peers.py, which measures lxml and
// selectolax on the same file:
//
//     swift build -c release --product parse-bench
//     .build/release/parse-bench fixtures/pages/bench-page.html [ITERATIONS]
//     python3 bench/parse_peers.py fixtures/pages/bench-page.html
//
// Without ITERATIONS it scans for at least 2 seconds. MB/s is 10^6 bytes of HTML per second.
import ParFetch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
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

let arguments = CommandLine.arguments
guard arguments.count == 2 || arguments.count == 3, let html = readFile(arguments[1]) else {
    let usage = "usage: parse-bench FILE [ITERATIONS]\n"
    _ = usage.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(2)
}
let fixedIterations = arguments.count == 3 ? Int(arguments[2]) : nil
let minimumTime = Duration.seconds(2)

let (iterations, elapsed, page) = html.withUnsafeBufferPointer { buffer in
    var page = PageScanner.scan(buffer)  // warm-up: entity table, caches
    var iterations = 0
    let clock = ContinuousClock()
    let start = clock.now
    while fixedIterations.map({ iterations < $0 }) ?? (clock.now - start < minimumTime) {
        page = PageScanner.scan(buffer)
        iterations += 1
    }
    return (iterations, clock.now - start, page)
}

let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let megabytesPerSecond = Double(html.count) * Double(iterations) / seconds / 1e6
let rate = (megabytesPerSecond * 10).rounded() / 10
print("parfetch-scanner: \(rate) MB/s (\(iterations) iterations, \(page.links.count) links, title=\(page.title ?? "nil"))")
