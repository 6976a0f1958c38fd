#if canImport(Glibc)
import Glibc
#endif

/// Messages on standard error and process-level settings.
enum Terminal {
    static func warn(_ message: String) {
        print("parfetch: \(message)\n")
    }

    /// Writes `text` to standard error as is, in one write call, so that it is not
    /// interleaved with other output.
    static func print(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Whether standard error may be colored: not when `NO_COLOR` is set to anything
    /// (no-color.org) or the terminal says it can't.
    static var allowsColor: Bool {
        let noColor = getenv("NO_COLOR").map { String(cString: $0) } ?? ""
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        return noColor.isEmpty && term != "dumb"
    }

    static func fail(_ message: String, status: Int32) -> Never {
        warn(message)
        exit(status)
    }

    static func exit(_ status: Int32) -> Never {
        Glibc.exit(status)
    }

    /// Lifts the soft limit on open files to the hard limit: each transfer needs a socket,
    /// and the usual soft limit of 1024 is too low for `-j 2000`. Returns the limit now.
    static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Int.max }
        if limit.rlim_cur < limit.rlim_max {
            let wanted = limit
            limit.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 { limit = wanted }
        }
        // RLIM_INFINITY is all ones: clamped to Int.max.
        return Int(clamping: limit.rlim_cur)
    }
}
