#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Calls relative to a directory descriptor, for the body store: a name is looked up in the
/// directory that was opened, never through a path that something could change in between.
extension System {
    static func openAt(_ directory: Int32, _ name: String, _ flags: Int32, _ mode: mode_t = 0o644) throws -> Int32 {
        try check("openat") { Glibc.openat(directory, name, flags | O_CLOEXEC, mode) }
    }

    static func makeDirectoryAt(_ directory: Int32, _ name: String, _ mode: mode_t = 0o755) throws {
        _ = try check("mkdirat") { Glibc.mkdirat(directory, name, mode) }
    }

    /// Moves `from` over `to` in one step (replacing a file already there), within `directory`.
    static func renameAt(_ directory: Int32, _ from: String, _ to: String) throws {
        _ = try check("renameat") { Glibc.renameat(directory, from, directory, to) }
    }

    /// Removes a file; a failure is ignored, as this only cleans up after another one.
    static func unlinkAt(_ directory: Int32, _ name: String) {
        _ = try? check("unlinkat") { Glibc.unlinkat(directory, name, 0) }
    }

    /// Closes a file that was written, reporting what `close` reports (on some file systems
    /// the last write error arrives only there).
    static func closeChecked(_ fd: Int32) throws {
        // Not retried: on Linux the descriptor is released even when close reports EINTR.
        guard Glibc.close(fd) == 0 else {
            let error = Glibc.errno
            if error == EINTR { return }
            throw SystemError(call: "close", errno: error)
        }
    }
}
