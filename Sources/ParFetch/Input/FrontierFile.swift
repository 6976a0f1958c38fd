import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A crawl's frontier on disk: every URL found to fetch, in the order found, and every URL
/// fetched through a redirect, appended as lines and never rewritten, so that memory holds
/// none of them and a resumed crawl finds them again:
///
///     2<TAB>https://example.com/b.html<TAB>https://example.com/a.html   found at depth 2 on a.html
///     R<TAB>https://example.com/moved.html                             reached through a redirect
///     0<TAB>https://example.com/c.html<TAB>https://example.com/sitemap.xml  a seed a sitemap lists
///     S                                                                every sitemap read
///
/// Breadth-first admission appends the URLs of depth d + 1 only while depth d is fetched, so
/// the file is in depth order. Each append is one `write` of whole lines, made visible to
/// the reader only once it returned (`committed`): the reader never sees half a line. After
/// a crash the last line may be torn; `load` cuts it off.
///
/// `@unchecked Sendable`: the descriptor is written under `appendLock` and read with `pread`
/// below `committed`, which only grows.
final class FrontierFile: @unchecked Sendable {
    /// One line of the file.
    enum Entry: Equatable {
        /// A URL to fetch at `depth`, found on the page `parent` (at depth 0: listed by the
        /// sitemap `parent`).
        case found(depth: Int, url: Substring, parent: Substring)
        /// A URL fetched already, as the end of a redirect.
        case fetched(url: Substring)
        /// The crawl's sitemaps were all read: the seeds they list come before this line.
        case sitemapsRead
    }

    let path: String
    private let fd: Int32
    private let appendLock = Mutex(())
    private let committedBytes = Atomic<Int>(0)

    /// Opens (creating) the frontier at `path`: empty for a new crawl, as it was for a
    /// resumed one (then `load` it).
    init(path: String, resuming: Bool) throws(FrontierError) {
        self.path = path
        let flags = O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | (resuming ? 0 : O_TRUNC)
        fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw .cannotOpen(path, errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            throw .notRegularFile(path)
        }
        committedBytes.store(Int(info.st_size), ordering: .relaxed)
    }

    /// A frontier no one else sees, for a crawl whose records go to standard output (it can't
    /// be resumed): created in `directory` and unlinked at once.
    convenience init(temporaryIn directory: String) throws(FrontierError) {
        let path = directory + "/parfetch-frontier-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try self.init(path: path, resuming: false)
        unlink(path)
    }

    deinit {
        Glibc.close(fd)
    }

    /// Bytes whole lines take: what a reader may read.
    var committed: Int { committedBytes.load(ordering: .relaxed) }

    /// Appends whole lines (`Self.append` makes them) in one write.
    func append(_ lines: [UInt8]) throws(FrontierError) {
        guard !lines.isEmpty else { return }
        try appendLock.withLock { _ throws(FrontierError) in
            var offset = 0
            while offset < lines.count {
                let written = lines.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, lines.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw .cannotWrite(path, errno: errno)
                }
                offset += written
            }
            committedBytes.add(lines.count, ordering: .relaxed)
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`, no further than `committed`.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(FrontierError) -> Int {
        let count = min(buffer.count, committed - offset)
        guard count > 0 else { return 0 }
        var done = 0
        while done < count {
            let read = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
            if read < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(path, errno: errno)
            }
            if read == 0 { break }
            done += read
        }
        return done
    }

    /// Reads a resumed frontier from the start, handing each entry to `body`; cuts off a torn
    /// last line. Throws `notAFrontier` at the first line that is not an entry.
    func load(_ body: (Entry) -> Void) throws(FrontierError) {
        var cursor = FrontierCursor(file: self)
        var entries = 0
        while true {
            guard let line = try cursor.nextLine() else { break }
            entries += 1
            guard let entry = Self.parse(line) else { throw .notAFrontier(path, line: entries) }
            body(entry)
        }
        let whole = cursor.offset
        if whole < committed {
            guard ftruncate(fd, off_t(whole)) == 0 else { throw .cannotWrite(path, errno: errno) }
            committedBytes.store(whole, ordering: .relaxed)
        }
    }

    /// Appends the line of a URL found at `depth` on `parent`.
    static func append(found url: some StringProtocol, depth: Int, parent: some StringProtocol, to lines: inout [UInt8]) {
        lines.append(contentsOf: String(depth).utf8)
        lines.append(0x09)
        lines.append(contentsOf: url.utf8)
        lines.append(0x09)
        lines.append(contentsOf: parent.utf8)
        lines.append(0x0A)
    }

    /// Appends the line of a URL reached through a redirect.
    static func append(fetched url: some StringProtocol, to lines: inout [UInt8]) {
        lines.append(UInt8(ascii: "R"))
        lines.append(0x09)
        lines.append(contentsOf: url.utf8)
        lines.append(0x0A)
    }

    /// Appends the line that says the sitemaps were all read.
    static func appendSitemapsRead(to lines: inout [UInt8]) {
        lines.append(contentsOf: [UInt8(ascii: "S"), 0x0A])
    }

    /// Whether `url` can be written into an entry: no tab, CR or LF (libcurl never spells a
    /// URL with one).
    static func canHold(_ url: some StringProtocol) -> Bool {
        !url.utf8.contains { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// The entry `line` (without its newline) holds; nil when it is not one.
    static func parse(_ line: Substring) -> Entry? {
        if line == "S" { return .sitemapsRead }
        let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        if fields.count == 2, fields[0] == "R", !fields[1].isEmpty {
            return .fetched(url: fields[1])
        }
        guard fields.count == 3, !fields[1].isEmpty, fields[0].utf8.count <= 6,
              fields[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let depth = Int(fields[0]), depth >= 0,
              !fields[2].contains("\t")
        else { return nil }
        return .found(depth: depth, url: fields[1], parent: fields[2])
    }
}

/// Reads a `FrontierFile`'s whole lines in order, through a buffer, up to what is committed:
/// at the end of what is written so far it returns nil, and later calls return what was
/// appended since.
struct FrontierCursor {
    private let file: FrontierFile
    /// Where the next unread line starts in the file.
    private(set) var offset = 0
    private var buffer: [UInt8] = []
    private var start = 0
    /// What each read fills, allocated once: a reader that finds nothing new (at the end of
    /// what is written so far) costs a `pread`, not a 64 KiB allocation.
    private var chunk = [UInt8](repeating: 0, count: 64 << 10)
    /// Entries read so far.
    private(set) var lines = 0

    init(file: FrontierFile) {
        self.file = file
    }

    /// The next whole line, without its newline; nil when none is committed yet.
    mutating func nextLine() throws(FrontierError) -> Substring? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                offset += newline + 1 - start
                start = newline + 1
                lines += 1
                return Substring(line)
            }
            // Keep the partial line, read more after it.
            buffer.removeFirst(start)
            start = 0
            let result = chunk.withUnsafeMutableBytes { bytes in
                Result { () throws(FrontierError) in try file.read(at: offset + buffer.count, into: bytes) }
            }
            let read = try result.get()
            if read == 0 { return nil }
            buffer.append(contentsOf: chunk[..<read])
        }
    }
}

/// Why a crawl's frontier file could not be used.
public struct FrontierError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable {
        case cannotOpen, notRegularFile, cannotWrite, cannotRead
        case notAFrontier(line: Int)
        case missing
    }

    private let code: Code
    public let path: String
    public let errno: Int32?

    private init(_ code: Code, _ path: String, errno: Int32? = nil) {
        self.code = code
        self.path = path
        self.errno = errno
    }

    static func cannotOpen(_ path: String, errno: Int32) -> Self { Self(.cannotOpen, path, errno: errno) }
    static func notRegularFile(_ path: String) -> Self { Self(.notRegularFile, path) }
    static func cannotWrite(_ path: String, errno: Int32) -> Self { Self(.cannotWrite, path, errno: errno) }
    static func cannotRead(_ path: String, errno: Int32) -> Self { Self(.cannotRead, path, errno: errno) }
    static func notAFrontier(_ path: String, line: Int) -> Self { Self(.notAFrontier(line: line), path) }
    /// A crawl's output is resumed but its frontier is not there.
    public static func missing(_ path: String) -> Self { Self(.missing, path) }

    /// The file is not usable as given (exit 2), rather than failing to be read or written.
    public var refusesResume: Bool {
        switch code {
        case .notRegularFile, .notAFrontier, .missing: true
        case .cannotOpen, .cannotWrite, .cannotRead: false
        }
    }

    public var description: String {
        let reason = errno.map { String(cString: strerror($0)) } ?? ""
        switch code {
        case .cannotOpen: return "cannot open the crawl's frontier \(path): \(reason)"
        case .notRegularFile: return "the crawl's frontier \(path) is not a regular file"
        case .cannotWrite: return "cannot write the crawl's frontier \(path): \(reason)"
        case .cannotRead: return "cannot read the crawl's frontier \(path): \(reason)"
        case .notAFrontier(let line):
            return "\(path) is not a parfetch crawl frontier (line \(line)); refusing to resume from it"
        case .missing:
            return "\(path) is missing: the crawl can't be resumed without the frontier it wrote beside its output"
        }
    }
}
