#if canImport(Glibc)
import Glibc
#endif

/// Messages on standard error and process-level settings.
enum Terminal {
    static func warn(_ message: String) {
        // One write call, so the line is not interleaved with other output.
        var line = Array("parfetch: \(message)\n".utf8)
        _ = line.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
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
