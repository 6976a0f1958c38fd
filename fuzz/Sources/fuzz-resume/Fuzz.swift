#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FuzzSupport
@testable import ParFetch

/// The `--resume` reader: the input (expanded, see `expanded`) is an earlier run's output
/// file, read back with `CompletedLines.load`.
///
/// Invariants: it throws only an `OutputError` with a one-line message; when it loads, the
/// lines it reports done are those of the whole-line records with a final outcome (a later
/// record of a line replacing an earlier one), `count` is their number, and a torn last line
/// is cut off the file and nothing else is.
private let file = ScratchFile("resume")

private struct Fields: Decodable {
    struct ErrorFields: Decodable { var kind: String }
    var line: Int
    var url: String
    var error: ErrorFields?
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Just past the reader's 1 MB reads, so that a line can straddle two.
    let bytes = expanded(UnsafeBufferPointer(start: data, count: size), limit: 1_100 * 1024)
    for retryErrors in [false, true] {
        file.write(bytes)
        let completed: CompletedLines
        do {
            completed = try CompletedLines.load(path: file.path, retryErrors: retryErrors)
        } catch let error as OutputError {
            invariant(isOneLine(error.description), "error message spans lines: \(error.description)")
            invariant(file.read() == bytes, "a refused file was changed")
            continue
        } catch {
            invariant(false, "load threw \(type(of: error)), not OutputError")
            return 0
        }
        let after = file.read()
        invariant(after.count == bytes.count - completed.droppedBytes && bytes.starts(with: after),
                  "file cut to \(after.count) of \(bytes.count) bytes, dropped \(completed.droppedBytes)")
        invariant(after.isEmpty || after.last == 0x0A, "the file does not end with a whole line")

        // The model: each whole line's record, the last one of a line number winning.
        var done: [Int: String] = [:]
        let decoder = JSONDecoder()
        for line in after.split(separator: 0x0A) {
            guard let record = try? decoder.decode(Fields.self, from: Data(line)), record.line > 0 else { continue }
            if record.error == nil || (!retryErrors && record.error?.kind != "interrupted") {
                done[record.line] = record.url
            }
        }
        invariant(completed.count == done.count, "count \(completed.count), expected \(done.count)")
        for (line, url) in done {
            invariant(completed.contains(line: line, url: url), "line \(line) (\(url)) not found done")
        }
    }
    return 0
}
