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
        case notARecord(line: Int)
        case notOfTheList(line: Int, recordURL: String, listText: String?)
        case cannotCutTornLine
        case notWARC
        case cannotCutTornRecord
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
    /// Line `line` of `path`, to be resumed from, is not a record of ours.
    public static func notARecord(_ path: String, line: Int) -> Self { Self(.notARecord(line: line), path) }
    /// The record of line `line` in `path` names `recordURL`, where the list has `listText`
    /// (nil: no URL on that line): the file is another list's output.
    public static func notOfTheList(_ path: String, line: Int, recordURL: String, listText: String?) -> Self {
        Self(.notOfTheList(line: line, recordURL: recordURL, listText: listText), path)
    }
    static func cannotCutTornLine(_ path: String, errno: Int32) -> Self { Self(.cannotCutTornLine, path, errno: errno) }
    /// `path`, a WARC file to resume, does not start as one.
    public static func notWARC(_ path: String) -> Self { Self(.notWARC, path) }
    static func cannotCutTornRecord(_ path: String, errno: Int32) -> Self { Self(.cannotCutTornRecord, path, errno: errno) }

    /// Writing failed because the reader went away (`parfetch … | head`): not a failure of
    /// the run.
    public var isBrokenPipe: Bool { code == .cannotWrite && errno == EPIPE }

    /// The file to resume from was refused (not a regular file, not parfetch output, another
    /// list's output): a usage error, not a failure of the output.
    public var refusesResume: Bool {
        switch code {
        case .notRegularFile, .notParFetchOutput, .notARecord, .notOfTheList, .notWARC: return true
        default: return false
        }
    }

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
        case .notARecord(let line): return "cannot resume from \(path): line \(line) is not a parfetch record"
        case .notOfTheList(let line, let recordURL, let listText):
            // The record's URL is read from the file: kept on one line whatever it holds.
            let record = "its record for line \(line) is of \(CSSSyntax.oneLine(recordURL))"
            let list = listText.map { "line \(line) of the list is \(CSSSyntax.oneLine($0))" }
                ?? "the list has no URL on line \(line) (it is shorter, or the line is blank or a comment)"
            return "cannot resume from \(path): \(record), but \(list): is it another list's output?"
        case .cannotCutTornLine: return "cannot cut the torn last line off \(path): \(reason)"
        case .notWARC: return "cannot resume \(path): it does not start with a WARC record (or, named .gz, a gzip member)"
        case .cannotCutTornRecord: return "cannot cut the torn last record off \(path): \(reason)"
        }
    }

    /// The system's text for `errno` (strerror).
    public var reason: String {
        errno.map { String(cString: strerror($0)) } ?? ""
    }
}
