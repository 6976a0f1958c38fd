#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FuzzSupport
@testable import ParFetch

/// The `--resume` reader: the input (expanded, see `expanded`) is an earlier run's output
/// file, read back with `CompletedLines.load`, then compared with lists made from its records.
///
/// Invariants: it throws only an `OutputError` with a one-line message, and exactly the one
/// the model expects: the first whole line that is not a record (a JSON object with `line` ≥ 1
/// and `url`) is named; then a last line that does not start as a record is refused. When it
/// loads, the lines it reports done are those of the final records (a later final record of a
/// line replacing an earlier one), `count` is their number, `lastLine` the highest line with
/// any record, and a torn last line is cut off the file and nothing else is. The list of the
/// records' own URLs matches; a list with one record's URL changed, or without the last
/// record's line, is refused on that line (`firstMismatch`, and `load` with the list, which
/// names the record's URL and leaves the file as it was).
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
    let decoder = JSONDecoder()
    let whole = bytes.lastIndex(of: 0x0A).map { bytes[..<$0] }
    let lines = whole.map { $0.split(separator: 0x0A, omittingEmptySubsequences: false) } ?? []
    let tail = bytes[(whole.map { $0.endIndex + 1 } ?? 0)...]
    let records = lines.map { line in
        (try? decoder.decode(Fields.self, from: Data(line))).flatMap { $0.line > 0 ? $0 : nil }
    }
    let expectedError: OutputError? = records.firstIndex(where: { $0 == nil }).map { .notARecord(file.path, line: $0 + 1) }
        ?? (tail.isEmpty || tail.starts(with: #"{"line":"#.utf8) ? nil : .notParFetchOutput(file.path))
    for retryErrors in [false, true] {
        file.write(bytes)
        let completed: CompletedLines
        do {
            completed = try CompletedLines.load(path: file.path, retryErrors: retryErrors)
        } catch let error as OutputError {
            invariant(isOneLine(error.description), "error message spans lines: \(error.description)")
            invariant(error == expectedError, "refused with \(error), expected \(expectedError.map { "\($0)" } ?? "none")")
            invariant(file.read() == bytes, "a refused file was changed")
            continue
        } catch {
            invariant(false, "load threw \(type(of: error)), not OutputError")
            return 0
        }
        invariant(expectedError == nil, "loaded, expected \(expectedError.map { "\($0)" } ?? "")")
        let after = file.read()
        invariant(after.count == bytes.count - completed.droppedBytes && bytes.starts(with: after),
                  "file cut to \(after.count) of \(bytes.count) bytes, dropped \(completed.droppedBytes)")
        invariant(after.isEmpty || after.last == 0x0A, "the file does not end with a whole line")

        // The model: each line's final record, the last one winning; and the record each
        // line is compared with the list by: its final one, else its first.
        var done: [Int: String] = [:]
        var kept: [Int: String] = [:]
        for case let record? in records {
            let final = record.error == nil || (!retryErrors && record.error?.kind != "interrupted")
            if final {
                done[record.line] = record.url
                kept[record.line] = record.url
            } else if kept[record.line] == nil {
                kept[record.line] = record.url
            }
        }
        invariant(completed.count == done.count, "count \(completed.count), expected \(done.count)")
        for (line, url) in done {
            invariant(completed.contains(line: line, url: url), "line \(line) (\(url)) not found done")
        }
        invariant(completed.lastLine == kept.keys.max() ?? 0, "lastLine \(completed.lastLine)")
        checkList(kept.sorted { $0.key < $1.key }, completed, original: bytes, retryErrors: retryErrors)
    }
    return 0
}

/// The records' own list matches; changing the first record's URL, or dropping the last
/// record's line, is a mismatch on that line.
private func checkList(_ kept: [(key: Int, value: String)], _ completed: CompletedLines, original: [UInt8],
                       retryErrors: Bool) {
    func mismatch(_ list: [(key: Int, value: String)]) -> CompletedLines.Mismatch? {
        var rest = list[...]
        return completed.firstMismatch { rest.popFirst().map { (line: $0.key, text: $0.value) } }
    }
    invariant(mismatch(kept) == nil, "the records' own list is refused: \(String(describing: mismatch(kept)))")
    guard let first = kept.first, let last = kept.last else { return }
    invariant(mismatch(Array(kept.dropLast())) == .init(line: last.key, listText: nil), "a shorter list is not refused")
    var changed = kept
    changed[0].value += "\u{1}changed"
    invariant(mismatch(changed) == .init(line: first.key, listText: changed[0].value), "a changed line is not refused")
    // Loading with that list refuses the file, naming the record's URL, and changes nothing.
    file.write(original)
    var rest = changed[...]
    do {
        _ = try CompletedLines.load(path: file.path, retryErrors: retryErrors,
                                    list: { rest.popFirst().map { (line: $0.key, text: $0.value) } })
        invariant(false, "load with a changed list did not refuse")
    } catch let error as OutputError {
        invariant(error == .notOfTheList(file.path, line: first.key, recordURL: first.value, listText: changed[0].value),
                  "refused with \(error)")
        invariant(isOneLine(error.description), "error message spans lines: \(error.description)")
        invariant(file.read() == original, "a file refused for its list was changed")
    } catch {
        invariant(false, "load threw \(type(of: error)), not OutputError")
    }
}
