#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HeapModule

#if canImport(Glibc)
import Glibc
#endif

/// Merges the outputs of a list's shards (`--shard i/N`, each written with `--ordered`) into
/// one stream in line order, one record per line: a k-way merge in constant memory, whatever
/// the outputs' size.
///
/// A file resumed after an interruption (`--resume`) is several runs of ascending lines, one
/// after the other: each run is merged as an input of its own. A line with more than one
/// record (an `interrupted` one, then the final one written on resuming) keeps its last final
/// record, or its last record when none is final, as `--resume` reads the file. A file with a
/// line that is not a record of ours is refused before anything is written; a record cut short
/// by a crash at the end of a file is left out.
public enum RecordMerge {
    /// What a merge did.
    public struct Outcome: Sendable, Equatable {
        /// Records written: one per line.
        public var records: Int
        /// Records left out because a later record of the same line replaced them.
        public var replaced: Int
        /// Files whose last record was torn (no newline), left out.
        public var tornFiles: [String]
    }

    /// Merges `paths` into `output` (a file descriptor, written from its current offset).
    public static func merge(paths: [String], into output: Int32) throws(MergeError) -> Outcome {
        var runs: [RecordRun] = []
        var torn: [String] = []
        for path in paths {
            let scan = try scanFile(path)
            runs += scan.runs
            if scan.torn { torn.append(path) }
        }
        var outcome = Outcome(records: 0, replaced: 0, tornFiles: torn)
        var heap = Heap<HeapEntry>()
        for index in runs.indices {
            if let record = try runs[index].next() { heap.insert(HeapEntry(line: record.line, run: index, record: record.bytes)) }
        }
        var writer = BufferedOutput(fd: output)
        // The records of the line being merged, in the order written: later runs come later.
        var pending: [HeapEntry] = []
        func flush() throws(MergeError) {
            guard let chosen = pending.last(where: { !isInterrupted($0.record) }) ?? pending.last else { return }
            try writer.write(chosen.record)
            outcome.records += 1
            outcome.replaced += pending.count - 1
            pending.removeAll(keepingCapacity: true)
        }
        while let entry = heap.popMin() {
            if let first = pending.first, first.line != entry.line { try flush() }
            pending.append(entry)
            if let record = try runs[entry.run].next() {
                heap.insert(HeapEntry(line: record.line, run: entry.run, record: record.bytes))
            }
        }
        try flush()
        try writer.finish()
        return outcome
    }

    /// Heap order: by line, then by run (a file's later run, or a later file, is written later).
    private struct HeapEntry: Comparable {
        let line: Int
        let run: Int
        let record: [UInt8]

        static func < (a: Self, b: Self) -> Bool { (a.line, a.run) < (b.line, b.run) }
        static func == (a: Self, b: Self) -> Bool { a.line == b.line && a.run == b.run }
    }

    /// The line number a record of ours starts with (`{"line":12,`), or nil for anything else.
    /// Records are written by `JSONLineEncoder` with `line` first; merging needs it.
    static func lineNumber<Bytes: Collection<UInt8>>(of record: Bytes) -> Int? {
        let prefix = #"{"line":"#.utf8
        guard record.starts(with: prefix) else { return nil }
        var line = 0
        var digits = 0
        for byte in record.dropFirst(prefix.count) {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 18 else { return nil }
                line = line * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: ","), UInt8(ascii: "}"):
                return digits > 0 ? line : nil
            default:
                return nil
            }
        }
        return nil
    }

    private struct ErrorKind: Decodable {
        struct Nested: Decodable { var kind: String }
        var error: Nested?
    }

    /// Whether the record is not final: an `interrupted` one, which a resumed run replaces.
    /// Decoded only for a line with several records, which is rare.
    private static func isInterrupted(_ record: [UInt8]) -> Bool {
        (try? JSONDecoder().decode(ErrorKind.self, from: Data(record)))?.error?.kind == "interrupted"
    }

    /// Runs of ascending lines a file may have: one per run that wrote it (`--ordered`, then
    /// each `--resume`). A file written without `--ordered` has about one per two records.
    static let maximumRuns = 256

    /// Reads `path` once: checks that every whole line is a record of ours, and finds its runs
    /// of ascending lines.
    private static func scanFile(_ path: String) throws(MergeError) -> (runs: [RecordRun], torn: Bool) {
        var reader = try LineReader(path: path, from: 0)
        var starts: [(offset: Int, count: Int)] = []
        var previous = Int.min
        var number = 0
        while let (bytes, offset, complete) = try reader.next() {
            number += 1
            guard complete else {
                // Only a record of ours may be cut short: anything else is not our output.
                guard bytes.starts(with: #"{"line":"#.utf8) else { throw .notRecords(path, line: number) }
                return (starts.map { RecordRun(path: path, offset: $0.offset, count: $0.count) }, true)
            }
            guard let line = lineNumber(of: bytes) else { throw .notRecords(path, line: number) }
            if line <= previous || starts.isEmpty {
                // Each run is read through a descriptor of its own, all at once.
                guard starts.count < maximumRuns else { throw .unordered(path) }
                starts.append((offset, 0))
            }
            starts[starts.count - 1].count += 1
            previous = line
        }
        return (starts.map { RecordRun(path: path, offset: $0.offset, count: $0.count) }, false)
    }

    /// One run of ascending lines of a file: `count` records from `offset`.
    private struct RecordRun {
        let path: String
        let offset: Int
        var count: Int
        private var reader: LineReader?

        init(path: String, offset: Int, count: Int) {
            self.path = path
            self.offset = offset
            self.count = count
        }

        mutating func next() throws(MergeError) -> (line: Int, bytes: [UInt8])? {
            guard count > 0 else {
                reader = nil  // closes its descriptor
                return nil
            }
            if reader == nil { reader = try LineReader(path: path, from: offset) }
            guard let (bytes, _, _) = try reader!.next(), let line = lineNumber(of: bytes) else {
                throw .changed(path)
            }
            count -= 1
            return (line, bytes + [UInt8(ascii: "\n")])
        }
    }

    /// The lines of a file from an offset, each with the offset it starts at; the last one
    /// `complete: false` when the file does not end with a newline.
    private struct LineReader {
        private let descriptor: FileDescriptor
        private let path: String
        private var buffer: [UInt8] = []
        private var start = 0
        private var offset: Int
        private var atEnd = false

        init(path: String, from offset: Int) throws(MergeError) {
            self.path = path
            self.offset = offset
            do {
                descriptor = FileDescriptor(try System.open(path, O_RDONLY))
            } catch {
                throw .unreadable(path, errno: (error as? SystemError)?.errno ?? EIO)
            }
            guard lseek(descriptor.fd, off_t(offset), SEEK_SET) == off_t(offset) else {
                throw .unreadable(path, errno: errno)
            }
        }

        mutating func next() throws(MergeError) -> (bytes: ArraySlice<UInt8>, offset: Int, complete: Bool)? {
            while true {
                if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[start..<newline]
                    let lineOffset = offset
                    offset += newline + 1 - start
                    start = newline + 1
                    return (line, lineOffset, true)
                }
                if atEnd {
                    guard start < buffer.count else { return nil }
                    let line = buffer[start...]
                    start = buffer.count
                    return (line, offset, false)
                }
                buffer.removeFirst(start)
                start = 0
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                let count: Int
                do {
                    count = try chunk.withUnsafeMutableBytes { try System.read(descriptor.fd, $0.baseAddress!, $0.count) }
                } catch {
                    throw .unreadable(path, errno: (error as? SystemError)?.errno ?? EIO)
                }
                if count == 0 { atEnd = true }
                buffer += chunk[..<count]
            }
        }
    }

    /// Closes its descriptor when the last copy goes.
    private final class FileDescriptor {
        let fd: Int32
        init(_ fd: Int32) { self.fd = fd }
        deinit { System.close(fd) }
    }

    /// Writes in blocks of about 1 MB.
    private struct BufferedOutput {
        let fd: Int32
        private var buffer: [UInt8] = []

        init(fd: Int32) { self.fd = fd }

        mutating func write(_ bytes: [UInt8]) throws(MergeError) {
            buffer += bytes
            if buffer.count >= 1 << 20 { try finish() }
        }

        mutating func finish() throws(MergeError) {
            var written = 0
            while written < buffer.count {
                let count = buffer[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw .cannotWrite(errno: errno) }
                written += count
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }
}

/// Why shard outputs could not be merged; `description` is one line.
public struct MergeError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Equatable {
        case unreadable(errno: Int32)
        case notRecords(line: Int)
        case changed
        case unordered
        case cannotWrite(errno: Int32)
    }

    private let code: Code
    /// The input concerned (nil for the output).
    public let path: String?

    private init(_ code: Code, _ path: String?) {
        self.code = code
        self.path = path
    }

    static func unreadable(_ path: String, errno: Int32) -> Self { Self(.unreadable(errno: errno), path) }
    static func notRecords(_ path: String, line: Int) -> Self { Self(.notRecords(line: line), path) }
    static func changed(_ path: String) -> Self { Self(.changed, path) }
    static func unordered(_ path: String) -> Self { Self(.unordered, path) }
    static func cannotWrite(errno: Int32) -> Self { Self(.cannotWrite(errno: errno), nil) }

    /// The output could not be written because its reader went away (`| head`).
    public var isBrokenPipe: Bool { code == .cannotWrite(errno: EPIPE) }

    public var description: String {
        let path = path ?? ""
        switch code {
        case .unreadable(let errno): return "cannot read \(path): \(String(cString: strerror(errno)))"
        case .notRecords(let line):
            return "cannot merge \(path): line \(line) is not a parfetch record with its line number first"
        case .changed: return "cannot merge \(path): it changed while being merged"
        case .unordered:
            return "cannot merge \(path): its lines are not in order (written without --ordered? "
                + "more than \(RecordMerge.maximumRuns) runs of ascending lines)"
        case .cannotWrite(let errno): return "cannot write the merged output: \(String(cString: strerror(errno)))"
        }
    }
}
