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
/// `error` is.
///
/// Kept as a 32-bit hash of the URL per line number (4 to 8 bytes a line, as the array
/// grows), so that a resumed run over ten million lines costs 40–80 MB, not the records.
public struct CompletedLines: Sendable {
    private var hashes: [UInt32] = []
    /// Lines far beyond the others (a hand-edited file, say), kept without a dense array.
    private var sparse: [Int: UInt32] = [:]
    /// Lines with a final record.
    public private(set) var count = 0
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
        let stored = line < hashes.count ? hashes[line] : sparse[line] ?? 0
        return stored != 0 && stored == Self.hash(url)
    }

    private mutating func insert(line: Int, url: String) {
        guard line > 0 else { return }
        if line >= hashes.count && line > 16 * (count + 65_536) {
            if sparse.updateValue(Self.hash(url), forKey: line) == nil { count += 1 }
            return
        }
        if line >= hashes.count {
            hashes.append(contentsOf: repeatElement(0, count: max(line + 1 - hashes.count, hashes.count)))
            // Far lines the dense array now reaches move into it: each line is kept in one place,
            // counted once, and found where `contains` looks first.
            for (far, hash) in sparse where far < hashes.count {
                hashes[far] = hash
                sparse[far] = nil
            }
        }
        if hashes[line] == 0 { count += 1 }
        hashes[line] = Self.hash(url)
    }

    /// FNV-1a, never 0 (0 marks "no record").
    private static func hash(_ url: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in url.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return hash == 0 ? 1 : hash
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
    /// refused). A last record without its newline was torn by a crash: it is cut off the
    /// file, so that appended records start on a line of their own; a last line that is not a
    /// record means the file is not ours, and is refused. Other lines that are not records of
    /// ours are ignored. Throws `OutputError`.
    public static func load(path: String, retryErrors: Bool) throws -> CompletedLines {
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
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0  // file offset of `pending`'s first byte
        while true {
            let count: Int
            do {
                count = try buffer.withUnsafeMutableBytes { try System.read(fd, $0.baseAddress!, $0.count) }
            } catch let error as SystemError {
                throw OutputError.cannotRead(path, errno: error.errno)
            }
            if count == 0 { break }
            pending += buffer[..<count]
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if let record = try? decoder.decode(RecordFields.self, from: Data(pending[start..<newline])),
                   record.error == nil || (!retryErrors && record.error?.kind != "interrupted") {
                    completed.insert(line: record.line, url: record.url)
                }
                start = newline + 1
            }
            offset += start
            pending.removeFirst(start)
        }
        if !pending.isEmpty {
            // Only a record of ours is cut: anything else means this is not our output.
            guard pending.starts(with: #"{"line":"#.utf8) else {
                throw OutputError.notParFetchOutput(path)
            }
            guard ftruncate(fd, off_t(offset)) == 0 else {
                throw OutputError.cannotCutTornLine(path, errno: errno)
            }
            completed.droppedBytes = pending.count
        }
        return completed
    }
}
