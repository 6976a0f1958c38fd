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

    /// Opens `path`; `-` means standard input. Throws `ListReaderError` if it can't be read.
    public init(path: String) throws {
        self.path = path == "-" ? "standard input" : path
        if path == "-" {
            fd = STDIN_FILENO
            ownsDescriptor = false
        } else {
            do {
                fd = try System.open(path, O_RDONLY)
            } catch let error as SystemError {
                throw ListReaderError(path: path, reason: String(cString: strerror(error.errno)))
            }
            var info = stat()
            if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                System.close(fd)
                throw ListReaderError(path: path, reason: "Is a directory")
            }
            ownsDescriptor = true
        }
        buffer = [UInt8](repeating: 0, count: 256 * 1024)
    }

    deinit {
        if ownsDescriptor { System.close(fd) }
    }

    /// The next URL line, or nil at the end of the list. Throws `ListReaderError` on a read error.
    public func next() throws -> ListItem? {
        while let raw = try nextLine() {
            lineNumber += 1
            guard case .line(let bytes) = raw else {
                return ListItem(line: lineNumber, text: "", target: .failure(FetchError(
                    .invalidURL, "line longer than \(Self.maximumLineLength) bytes")))
            }
            var slice = bytes[...]
            if lineNumber == 1, slice.starts(with: [0xEF, 0xBB, 0xBF]) {
                slice = slice.dropFirst(3)
            }
            while let first = slice.first, Self.isSpace(first) { slice = slice.dropFirst() }
            while let last = slice.last, Self.isSpace(last) { slice = slice.dropLast() }
            if slice.isEmpty || slice.first == UInt8(ascii: "#") { continue }
            guard let text = String(validating: slice, as: UTF8.self) else {
                return ListItem(line: lineNumber, text: String(decoding: slice, as: UTF8.self),
                                target: .failure(FetchError(.invalidURL, "the line is not valid UTF-8")))
            }
            return ListItem(line: lineNumber, text: text, target: urlCheck.check(text))
        }
        return nil
    }

    private enum RawLine {
        case line([UInt8])
        case tooLong
    }

    /// The bytes of the next line without its LF, or nil at end of input.
    private func nextLine() throws -> RawLine? {
        var tooLong = false
        // Bytes after `start` already known to hold no LF.
        var scanned = 0
        while true {
            let newline = buffer.withUnsafeBytes { bytes -> Int? in
                let from = start + scanned
                guard from < end, let found = memchr(bytes.baseAddress! + from, 0x0A, end - from) else { return nil }
                return UnsafeRawPointer(found) - bytes.baseAddress!
            }
            if let newline {
                defer { start = newline + 1 }
                return tooLong || newline - start > Self.maximumLineLength
                    ? .tooLong : .line(Array(buffer[start..<newline]))
            }
            scanned = end - start
            if atEOF {
                guard start < end || tooLong else { return nil }
                defer { start = end }
                return tooLong || end - start > Self.maximumLineLength
                    ? .tooLong : .line(Array(buffer[start..<end]))
            }
            if scanned > Self.maximumLineLength {
                // Keep reading to find the line's end, but drop what was read of it.
                tooLong = true
                start = end
                scanned = 0
            }
            try fill()
        }
    }

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
                throw ListReaderError(path: path, reason: String(cString: strerror(error.errno)))
            }
        }
        if read == 0 { atEOF = true }
        end += read
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}

/// The list could not be opened or read.
public struct ListReaderError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "cannot read \(path): \(reason)" }
}
