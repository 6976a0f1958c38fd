#if canImport(Glibc)
import Glibc
#endif

/// Why the output (the records' file or pipe, or a file resumed from) could not be opened,
/// written or read. Compared as a value: a reader that went away is `isBrokenPipe`, not a
/// message to recognise.
public struct OutputError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable {
        case cannotOpen
        case locked
        case cannotTruncate
        case cannotWrite
        case cannotRead
        case notRegularFile
        case notParFetchOutput
        case cannotCutTornLine
    }

    private let code: Code
    /// The file the error is about; nil for the output as a whole (standard output included).
    public let path: String?
    /// The system's error number, where the failure came from a system call.
    public let errno: Int32?

    private init(_ code: Code, _ path: String?, errno: Int32? = nil) {
        self.code = code
        self.path = path
        self.errno = errno
    }

    /// `path` could not be opened.
    public static func cannotOpen(_ path: String, errno: Int32) -> Self { Self(.cannotOpen, path, errno: errno) }
    /// Another writer holds `path`'s lock.
    static func locked(_ path: String) -> Self { Self(.locked, path) }
    static func cannotTruncate(_ path: String, errno: Int32) -> Self { Self(.cannotTruncate, path, errno: errno) }
    /// Writing (or flushing) `path`, or the records' output when nil, failed.
    public static func cannotWrite(_ path: String? = nil, errno: Int32) -> Self { Self(.cannotWrite, path, errno: errno) }
    static func cannotRead(_ path: String, errno: Int32) -> Self { Self(.cannotRead, path, errno: errno) }
    /// `path` is to be resumed from but is not a regular file.
    public static func notRegularFile(_ path: String) -> Self { Self(.notRegularFile, path) }
    static func notParFetchOutput(_ path: String) -> Self { Self(.notParFetchOutput, path) }
    static func cannotCutTornLine(_ path: String, errno: Int32) -> Self { Self(.cannotCutTornLine, path, errno: errno) }

    /// Writing failed because the reader went away (`parfetch … | head`): not a failure of
    /// the run.
    public var isBrokenPipe: Bool { code == .cannotWrite && errno == EPIPE }

    public var description: String {
        let path = path ?? "output"
        switch code {
        case .cannotOpen: return "cannot open \(path): \(reason)"
        case .locked: return "\(path) is being written by another parfetch run"
        case .cannotTruncate: return "cannot truncate \(path): \(reason)"
        case .cannotWrite: return "cannot write \(path): \(reason)"
        case .cannotRead: return "cannot read \(path): \(reason)"
        case .notRegularFile: return "cannot resume from \(path): not a regular file"
        case .notParFetchOutput:
            return "cannot resume from \(path): it does not end with a whole line, and is not parfetch output"
        case .cannotCutTornLine: return "cannot cut the torn last line off \(path): \(reason)"
        }
    }

    /// The system's text for `errno` (strerror).
    public var reason: String {
        errno.map { String(cString: strerror($0)) } ?? ""
    }
}
