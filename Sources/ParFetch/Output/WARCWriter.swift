#if canImport(Glibc)
import Glibc
#endif

/// Where a capture's final response record is: what a JSON record's `warc` says.
public struct WARCPointer: Sendable, Hashable {
    /// The WARC file's path, as the writer was given it (numbered when files rotate).
    public var file: String
    /// The record's first byte in the file (its gzip member's, in a `.gz` file).
    public var offset: Int64
    /// The record's length in the file (its gzip member's).
    public var length: Int
}

/// Writes a run's captures as WARC 1.1 files: a `warcinfo` record first in each file, then the
/// captures' records as the record writer hands them over, before the JSON records that point
/// at them. A path ending `.gz` gets a gzip member a record (WARC 1.1 Annex D). With a maximum
/// file size, files are numbered (`site-00000.warc.gz`, `site-00001.warc.gz`, …, as wget names
/// them) and a new one starts before a capture would take the current one past the size.
///
/// `@unchecked Sendable`: it is used by one thread at a time, the one that made it and then
/// only the record writer's thread, which it is handed to before that thread starts.
public final class WARCWriter: @unchecked Sendable {
    public let gzip: Bool
    /// For the warcinfo records, when the files are gzipped.
    private let compressor: GzipCompressor?
    /// Bytes cut off the end of the file resumed: records a crash left torn.
    public private(set) var tornBytesCut: Int64 = 0
    /// The file being written.
    public private(set) var currentPath: String
    /// Every file written to, in order.
    public private(set) var paths: [String] = []
    /// Captures added, and bytes written to the files (warcinfo records included).
    public private(set) var captures = 0
    public private(set) var bytesWritten: Int64 = 0
    private let stem: String
    private let suffix: String
    private let maxFileSize: Int64?
    private let info: [WARCField]
    private var index: Int
    private var fd: Int32 = -1
    /// The current file's length, with what is buffered.
    private var size: Int64 = 0
    /// The current file's length after its `warcinfo` record: with nothing more, it is not
    /// rotated.
    private var opened: Int64 = 0
    /// Bytes not yet written to the current file.
    private var pending: [UInt8] = []

    /// Opens `path` (truncating it, or, `resuming`, cutting a torn last record and appending;
    /// with `maxFileSize`, the first numbered file, or the last one that exists when resuming)
    /// and writes its `warcinfo` record with `info` as its fields after parfetch's own.
    public init(path: String, maxFileSize: Int64? = nil, info: [WARCField] = [], resuming: Bool = false) throws(OutputError) {
        gzip = path.hasSuffix(".gz")
        compressor = gzip ? GzipCompressor() : nil
        (stem, suffix) = Self.split(path)
        self.maxFileSize = maxFileSize
        self.info = [
            WARCField("software", "parfetch/\(ParFetchVersion.string)"),
            WARCField("format", "WARC File Format 1.1"),
            WARCField("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
        ] + info
        index = 0
        currentPath = path
        if maxFileSize != nil {
            if resuming {
                // The last file of the earlier run: files are written in order.
                while index < 99_999 && access(name(index + 1), F_OK) == 0 { index += 1 }
            }
            currentPath = name(index)
        }
        try open(resuming: resuming)
    }

    deinit {
        if fd >= 0 { System.close(fd) }
    }

    /// `site.warc.gz` → (`site`, `.warc.gz`).
    private static func split(_ path: String) -> (String, String) {
        for suffix in [".warc.gz", ".warc", ".gz"] where path.hasSuffix(suffix) && path.count > suffix.count {
            return (String(path.dropLast(suffix.count)), suffix)
        }
        return (path, "")
    }

    private func name(_ index: Int) -> String {
        let number = String(index)
        return stem + "-" + String(repeating: "0", count: max(0, 5 - number.count)) + number + suffix
    }

    private func open(resuming: Bool) throws(OutputError) {
        let path = currentPath
        paths.append(path)
        do {
            fd = try System.open(path, O_RDWR | O_CREAT)
        } catch let error as SystemError {
            throw .cannotOpen(path, errno: error.errno)
        } catch {
            throw .cannotOpen(path, errno: EIO)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK {
            throw .locked(path)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotRead(path, errno: errno) }
        // Not a regular file (`/dev/null`, a pipe): nothing to truncate, cut or seek in.
        let regular = info.st_mode & S_IFMT == S_IFREG
        if resuming && info.st_size > 0 {
            guard regular else { throw .notRegularFile(path) }
            let fd = fd
            let whole: Int64
            do {
                whole = try WARCTail.wholeLength(gzip: gzip) { offset, buffer in
                    max(0, pread(fd, buffer.baseAddress, buffer.count, off_t(offset)))
                }
            } catch {
                throw .notWARC(path)
            }
            if whole < info.st_size {
                guard ftruncate(fd, off_t(whole)) == 0 else { throw .cannotCutTornRecord(path, errno: errno) }
                tornBytesCut += Int64(info.st_size) - whole
            }
            size = whole
        } else {
            guard !regular || ftruncate(fd, 0) == 0 else { throw .cannotTruncate(path, errno: errno) }
            size = 0
        }
        guard !regular || lseek(fd, off_t(size), SEEK_SET) >= 0 else { throw .cannotWrite(path, errno: errno) }
        // A resumed file gets one too: the options of the run that continues it.
        let record = WARCRecord.warcinfo(filename: Self.basename(path), fields: self.info, compressor: compressor)
        pending += record
        size += Int64(record.count)
        opened = size
    }

    private static func basename(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Adds a capture's records after what was added before (starting the next file first, if
    /// they would take this one past the maximum size) and says where its final response is.
    /// Buffered until `flush`.
    func add(_ capture: EncodedCapture) throws(OutputError) -> WARCPointer {
        // A capture larger than the maximum gets a file of its own.
        if let maxFileSize, size + Int64(capture.bytes.count) > maxFileSize, size > opened {
            try rotate()
        }
        let pointer = WARCPointer(file: currentPath, offset: size + Int64(capture.finalResponse.lowerBound),
                                  length: capture.finalResponse.count)
        pending += capture.bytes
        size += Int64(capture.bytes.count)
        captures += 1
        return pointer
    }

    private func rotate() throws(OutputError) {
        try flush()
        try finishFile()
        index += 1
        currentPath = name(index)
        try open(resuming: false)
    }

    /// Writes what `add` buffered.
    func flush() throws(OutputError) {
        guard !pending.isEmpty else { return }
        do {
            try pending.withUnsafeBytes { try System.writeAll(fd, $0) }
            bytesWritten += Int64(pending.count)
        } catch let error as SystemError {
            throw .cannotWrite(currentPath, errno: error.errno)
        } catch {
            throw .cannotWrite(currentPath, errno: EIO)
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func finishFile() throws(OutputError) {
        defer {
            System.close(fd)
            fd = -1
        }
        if fsync(fd) != 0 && errno != EINVAL { throw .cannotWrite(currentPath, errno: errno) }
    }

    /// Writes what is buffered and closes the file.
    public func close() throws(OutputError) {
        guard fd >= 0 else { return }
        try flush()
        try finishFile()
    }
}
