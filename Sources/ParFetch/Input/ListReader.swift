#if canImport(Glibc)
import Glibc
#endif

/// Reads a URL list lazily, one line at a time, from a file or standard input: memory does
/// not grow with the list. Blank lines and lines starting with `#` are skipped; surrounding
/// white space, CR and a leading UTF-8 byte order mark are ignored. Each other line becomes a
/// `ListItem`, valid or not. Not Sendable: one reader per thread.
public final class ListReader {
    /// Lines longer than this are reported as invalid without being kept in memory.
    public static let maximumLineLength = 64 * 1024

    private let fd: Int32
    private let path: String
    private let ownsDescriptor: Bool
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    private var lineNumber = 0
    private let urlCheck = URLCheck()
    /// Whether lines are JSON objects; nil until the first line decides (`InputFormat.auto`).
    private var jsonLines: Bool?

    /// Opens `path`; `-` means standard input. Throws `ListReaderError` if it can't be read.
    public init(path: String, format: InputFormat = .auto) throws {
        switch format {
        case .auto: jsonLines = nil
        case .lines: jsonLines = false
        case .jsonl: jsonLines = true
        }
        self.path = path == "-" ? "standard input" : path
        if path == "-" {
            fd = STDIN_FILENO
            ownsDescriptor = false
        } else {
            do {
                fd = try System.open(path, O_RDONLY)
            } catch let error as SystemError {
                throw ListReaderError.system(path, errno: error.errno)
            }
            var info = stat()
            if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                System.close(fd)
                throw ListReaderError.isDirectory(path)
            }
            ownsDescriptor = true
        }
        buffer = [UInt8](repeating: 0, count: 256 * 1024)
    }

    deinit {
        if ownsDescriptor { System.close(fd) }
    }

    /// Lines read so far, blank lines and comments included: all of them at the end.
    public var linesRead: Int { lineNumber }

    /// The next URL line, or nil at the end of the list. Throws `ListReaderError` on a read error.
    public func next() throws -> ListItem? {
        guard let (line, text, problem) = try nextEntry() else { return nil }
        if let problem { return ListItem(line: line, text: text, target: .failure(problem)) }
        guard isJSONLines(text) else { return ListItem(line: line, text: text, target: urlCheck.check(text)) }
        switch JSONLine.parse(Array(text.utf8)[...]) {
        case .success(let request):
            var item = ListItem(line: line, text: request.url, target: urlCheck.check(request.url))
            item.request = LineRequest(request)
            return item
        case .failure(let failure):
            var item = ListItem(line: line, text: failure.url ?? text, target: .failure(FetchError(.invalidInput, failure.message)))
            item.request = failure.meta.map { LineRequest(meta: $0) }
            return item
        }
    }

    /// The next URL line's number and text, without checking the URL (the cost of a line is
    /// then its reading): for comparing the list with an earlier run's records. The text of
    /// a JSON Lines line is its `url`, as its record has it.
    public func nextText() throws -> (line: Int, text: String)? {
        guard let (line, text, problem) = try nextEntry() else { return nil }
        guard problem == nil, isJSONLines(text) else { return (line, text) }
        switch JSONLine.parse(Array(text.utf8)[...]) {
        case .success(let request): return (line, request.url)
        case .failure(let failure): return (line, failure.url ?? text)
        }
    }

    /// Whether the list is JSON Lines; with `auto`, the first line decides.
    private func isJSONLines(_ text: String) -> Bool {
        if let jsonLines { return jsonLines }
        let decided = text.utf8.first == UInt8(ascii: "{")
        jsonLines = decided
        return decided
    }

    /// The next line that is not blank or a comment: its number, its text (trimmed) and, for
    /// a line that can't be a URL whatever it says, why.
    private func nextEntry() throws -> (line: Int, text: String, problem: FetchError?)? {
        while let (bytes, tooLong) = try nextLine() {
            lineNumber += 1
            var slice = bytes[...]
            if lineNumber == 1, slice.starts(with: Self.byteOrderMark) {
                slice = slice.dropFirst(3)
            }
            while let first = slice.first, Self.isSpace(first) { slice = slice.dropFirst() }
            while !tooLong, let last = slice.last, Self.isSpace(last) { slice = slice.dropLast() }
            if slice.isEmpty || slice.first == UInt8(ascii: "#") { continue }
            let text = String(decoding: slice, as: UTF8.self)
            if tooLong {
                return (lineNumber, text + "…", FetchError(.invalidURL, "line longer than \(Self.maximumLineLength) bytes"))
            }
            guard String(validating: slice, as: UTF8.self) != nil else {
                return (lineNumber, text, FetchError(.invalidURL, "the line is not valid UTF-8"))
            }
            // libcurl takes the URL as a C string: a NUL would silently cut it short.
            guard !slice.contains(0) else {
                return (lineNumber, text, FetchError(.invalidURL, "the line contains a NUL byte"))
            }
            return (lineNumber, text, nil)
        }
        return nil
    }

    /// How much of an overlong line is kept, to show in its record.
    private static let keptPrefix = 200

    /// The bytes of the next line without its LF, or nil at end of input. For a line over
    /// `maximumLineLength`, only its first bytes that are not white space, with `tooLong` set.
    private func nextLine() throws -> (bytes: [UInt8], tooLong: Bool)? {
        // The start of a line found to be too long, once the rest of it is being skipped.
        var overlongPrefix: OverlongPrefix?
        // Bytes after `start` already known to hold no LF.
        var scanned = 0
        while true {
            let newline = buffer.withUnsafeBytes { bytes -> Int? in
                let from = start + scanned
                guard from < end, let found = memchr(bytes.baseAddress! + from, 0x0A, end - from) else { return nil }
                return UnsafeRawPointer(found) - bytes.baseAddress!
            }
            if newline != nil || atEOF {
                let lineEnd = newline ?? end
                guard lineEnd > start || overlongPrefix != nil || newline != nil else { return nil }
                defer { start = newline.map { $0 + 1 } ?? end }
                if overlongPrefix != nil || lineEnd - start > Self.maximumLineLength {
                    var prefix = overlongPrefix ?? OverlongPrefix()
                    keep(start..<lineEnd, in: &prefix)
                    return (prefix.bytes, true)
                }
                return (Array(buffer[start..<lineEnd]), false)
            }
            scanned = end - start
            if scanned > Self.maximumLineLength {
                // Keep reading to find the line's end, but drop what was read of it.
                var prefix = overlongPrefix ?? OverlongPrefix()
                keep(start..<end, in: &prefix)
                overlongPrefix = prefix
                start = end
                scanned = 0
            }
            try fill()
        }
    }

    /// What is kept of an overlong line, read a buffer at a time.
    private struct OverlongPrefix {
        var bytes: [UInt8] = []
        /// Nothing of the line read yet.
        var atStart = true
        /// Only white space read yet (after the list's BOM).
        var inLeadingSpace = true
    }

    /// Adds the next part of an overlong line, `range`, to what is kept of it: its leading
    /// white space is left out, however long, so that what is kept tells whether the line is a
    /// comment and shows its text; then bytes up to `keptPrefix`.
    private func keep(_ range: Range<Int>, in prefix: inout OverlongPrefix) {
        var from = range.lowerBound
        if prefix.atStart, lineNumber == 0, buffer[range].starts(with: Self.byteOrderMark) {
            // Kept, as `next` removes it from the first line; only this one BOM is the list's.
            prefix.bytes = Self.byteOrderMark
            from += Self.byteOrderMark.count
        }
        prefix.atStart = false
        if prefix.inLeadingSpace {
            while from < range.upperBound, Self.isSpace(buffer[from]) { from += 1 }
            prefix.inLeadingSpace = from == range.upperBound
        }
        let room = max(0, Self.keptPrefix - prefix.bytes.count)
        prefix.bytes += buffer[from..<min(range.upperBound, from + room)]
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Moves unread bytes to the front and reads more after them. Unread bytes never exceed
    /// `maximumLineLength`, so the buffer always has room.
    private func fill() throws {
        if start > 0 {
            buffer.withUnsafeMutableBytes { bytes in
                _ = memmove(bytes.baseAddress!, bytes.baseAddress! + start, end - start)
            }
            end -= start
            start = 0
        }
        let count = end
        let read = try buffer.withUnsafeMutableBytes { bytes in
            do {
                return try System.read(fd, bytes.baseAddress! + count, bytes.count - count)
            } catch let error as SystemError {
                throw ListReaderError.system(path, errno: error.errno)
            }
        }
        if read == 0 { atEOF = true }
        end += read
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
