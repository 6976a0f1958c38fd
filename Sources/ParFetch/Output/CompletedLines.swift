#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The lines an earlier run finished, read from its output for `--resume`: a line is done when
/// the file holds a final record for it, one with the same line number and URL. An
/// `interrupted` record is not final; with `retryErrors` (`--resume-failed`) no record with an
/// `error` is. Every line with a record, final or not, is also kept for checking the file
/// against the list (`firstMismatch`).
///
/// Kept as a 32-bit value per line number (4 to 8 bytes a line, as the array grows): 31 bits
/// of a hash of the record's URL and a bit for "final", so that a resumed run over ten million
/// lines costs 40–80 MB, not the records.
public struct CompletedLines: Sendable {
    /// Per line: 0 for no record, else `key(url) << 1`, plus 1 when the record is final.
    private var entries: [UInt32] = []
    /// Lines far beyond the others (a hand-edited file, say), kept without a dense array.
    /// Always beyond `entries`: the array takes them in when it grows to reach them.
    private var sparse: [Int: UInt32] = [:]
    /// Lines with a final record.
    public private(set) var count = 0
    /// Lines with a record, final or not.
    private var recordCount = 0
    /// The highest line number with a record (0: none): the list is compared up to it.
    public private(set) var lastLine = 0
    /// Bytes of a torn last line (a record cut short by a crash) removed from the file.
    public private(set) var droppedBytes = 0

    public init() {}

    /// The fields `load` reads back, the schema's keys marked `resume`: records written with
    /// `--fields` can be resumed from only when these are among them (`error` includes
    /// `error.kind`).
    public static let requiredFields: [RecordField] = RecordSchema.keys.indices
        .filter { RecordSchema.keys[$0].resume }
        .map(RecordField.key)

    /// Whether line `line`, reading `url`, already has a final record.
    public func contains(line: Int, url: String) -> Bool {
        let stored = entry(line)
        return stored & 1 == 1 && stored >> 1 == Self.key(url)
    }

    /// What is kept for line `line` (0: no record).
    func entry(_ line: Int) -> UInt32 {
        line < entries.count ? entries[line] : sparse[line] ?? 0
    }

    /// The lines with a record, in ascending order: the array's, then the far ones.
    func linesWithRecords() -> RecordLines {
        RecordLines(entries: entries, far: sparse.keys.sorted())
    }

    /// Keeps a record of line `line`. A final record replaces what the line had; one that is
    /// not final only marks a line that had none: a later attempt cut short does not undo an
    /// earlier final record.
    private mutating func insert(line: Int, url: String, final: Bool) {
        guard line > 0 else { return }
        let old = entry(line)
        guard final || old == 0 else { return }
        let value = Self.key(url) << 1 | (final ? 1 : 0)
        if old == 0 { recordCount += 1 }
        if final && old & 1 == 0 { count += 1 }
        lastLine = max(lastLine, line)
        if line >= entries.count && line > 16 * (recordCount + 65_536) {
            sparse[line] = value
            return
        }
        if line >= entries.count {
            entries.append(contentsOf: repeatElement(0, count: max(line + 1 - entries.count, entries.count)))
            // Far lines the dense array now reaches move into it: each line is kept in one place,
            // counted once, and found where `entry` looks first.
            for (far, kept) in sparse where far < entries.count {
                entries[far] = kept
                sparse[far] = nil
            }
        }
        entries[line] = value
    }

    /// 31 bits of FNV-1a, never 0 (an entry of 0 marks "no record").
    static func key(_ url: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in url.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return max(hash >> 1, 1)
    }

    /// What `load` decodes: the keys of `requiredFields` (`CompletedLinesTests` checks that a
    /// record with only those resumes, and one without any of them does not).
    private struct RecordFields: Decodable {
        struct ErrorFields: Decodable {
            var kind: String
        }

        var line: Int
        var url: String
        var error: ErrorFields?
    }

    /// Reads the records in `path` (a missing file has none; anything but a regular file is
    /// refused). Every whole line must be a record of ours, a JSON object with `line` (1 or
    /// more) and `url`: the first line that is not one is named and the file refused (an empty
    /// file is fine). A last record without its newline was torn by a crash: it is cut off the
    /// file, so that appended records start on a line of their own; a last line that is not the
    /// start of a record means the file is not ours, and is refused.
    ///
    /// Given `list` (the run's lines, in order, as `(line, text)`), the records are compared
    /// with it (`firstMismatch`) before anything is cut: a file of another list's records is
    /// refused. A refused file is left as it was. Throws `OutputError`, or what `list` throws.
    public static func load(path: String, retryErrors: Bool,
                            list: (() throws -> (line: Int, text: String)?)? = nil) throws -> CompletedLines {
        let fd: Int32
        do {
            fd = try System.open(path, O_RDWR)
        } catch let error as SystemError where error.errno == ENOENT {
            return CompletedLines()
        } catch let error as SystemError {
            throw OutputError.cannotOpen(path, errno: error.errno)
        }
        defer { System.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw OutputError.notRegularFile(path)
        }
        var completed = CompletedLines()
        let decoder = JSONDecoder()
        let (tail, tailOffset) = try readLines(fd, path: path) { bytes, number in
            guard let record = try? decoder.decode(RecordFields.self, from: Data(bytes)), record.line > 0 else {
                throw OutputError.notARecord(path, line: number)
            }
            let final = record.error == nil || (!retryErrors && record.error?.kind != "interrupted")
            completed.insert(line: record.line, url: record.url, final: final)
        }
        // Only a record of ours is cut: anything else means this is not our output.
        if !tail.isEmpty && !tail.starts(with: #"{"line":"#.utf8) {
            throw OutputError.notParFetchOutput(path)
        }
        if let list, let mismatch = try completed.firstMismatch(in: list) {
            throw OutputError.notOfTheList(path, line: mismatch.line,
                                           recordURL: try recordURL(fd, path: path, of: mismatch.line, completed: completed),
                                           listText: mismatch.listText)
        }
        if !tail.isEmpty {
            guard ftruncate(fd, off_t(tailOffset)) == 0 else {
                throw OutputError.cannotCutTornLine(path, errno: errno)
            }
            completed.droppedBytes = tail.count
        }
        return completed
    }

    /// Reads `fd` from where it is to its end, a MB at a time, handing `body` each whole line
    /// (without its newline) and its 1-based number. Returns the bytes after the last newline
    /// and the file offset they start at.
    private static func readLines(_ fd: Int32, path: String,
                                  _ body: (ArraySlice<UInt8>, Int) throws -> Void) throws -> ([UInt8], Int) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0  // file offset of `pending`'s first byte
        var number = 0
        while true {
            let count: Int
            do {
                count = try buffer.withUnsafeMutableBytes { try System.read(fd, $0.baseAddress!, $0.count) }
            } catch let error as SystemError {
                throw OutputError.cannotRead(path, errno: error.errno)
            }
            if count == 0 { return (pending, offset) }
            pending += buffer[..<count]
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                number += 1
                try body(pending[start..<newline], number)
                start = newline + 1
            }
            offset += start
            pending.removeFirst(start)
        }
    }

    /// The URL of the record kept for `line`, read again from the file (no URL is kept in
    /// memory): only for the message of a refusal.
    private static func recordURL(_ fd: Int32, path: String, of line: Int, completed: CompletedLines) throws -> String {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw OutputError.cannotRead(path, errno: errno) }
        let decoder = JSONDecoder()
        var found = ""
        _ = try readLines(fd, path: path) { bytes, _ in
            if found.isEmpty, let record = try? decoder.decode(RecordFields.self, from: Data(bytes)),
               record.line == line, key(record.url) == completed.entry(line) >> 1 {
                found = record.url
            }
        }
        return found
    }
}
