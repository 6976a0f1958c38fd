import CLinux
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A system call failed; `errno` says why.
struct SystemError: Error, CustomStringConvertible {
    let call: String
    let errno: Int32

    var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// Thin wrappers over the system calls the engine uses. Each retries on EINTR, so callers
/// never see a signal as a failure, and throws `SystemError` otherwise.
enum System {
    static func epollCreate() throws -> Int32 {
        try check("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
    }

    static func epollControl(_ epoll: Int32, _ operation: Int32, _ fd: Int32, events: UInt32) throws {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        _ = try check("epoll_ctl") { epoll_ctl(epoll, operation, fd, &event) }
    }

    /// Waits for events; returns how many were stored. A negative timeout waits without bound.
    static func epollWait(
        _ epoll: Int32, _ events: UnsafeMutablePointer<epoll_event>, _ capacity: Int32, timeoutMilliseconds: Int32
    ) throws -> Int {
        Int(try check("epoll_wait") { epoll_wait(epoll, events, capacity, timeoutMilliseconds) })
    }

    static func eventFD() throws -> Int32 {
        try check("eventfd") { eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK)) }
    }

    /// Adds one to an eventfd counter, waking whoever polls it.
    static func eventFDSignal(_ fd: Int32) {
        var one: UInt64 = 1
        // EAGAIN means the counter is saturated: the reader is already due to wake.
        _ = try? check("write") { Int32(Glibc.write(fd, &one, 8)) }
    }

    /// Resets an eventfd counter to zero.
    static func eventFDDrain(_ fd: Int32) {
        var value: UInt64 = 0
        _ = try? check("read") { Int32(Glibc.read(fd, &value, 8)) }
    }

    static func close(_ fd: Int32) {
        // Not retried: on Linux the descriptor is released even when close reports EINTR.
        _ = Glibc.close(fd)
    }

    /// Reads up to `count` bytes; 0 means end of file.
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) throws -> Int {
        try check("read") { Glibc.read(fd, buffer, count) }
    }

    /// Writes all of `bytes`, looping over short writes.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            offset += try check("write") { Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
        }
    }

    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) throws -> Int32 {
        try check("open") { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    /// Where temporary files go: `$TMPDIR`, or /tmp.
    static var temporaryDirectory: String {
        getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// Monotonic time in nanoseconds, for deadlines.
    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Runs `body` until it is not interrupted by a signal; a negative result throws.
    static func check<T: FixedWidthInteger>(_ call: String, _ body: () -> T) throws -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let error = Glibc.errno
            if error == EINTR { continue }
            throw SystemError(call: call, errno: error)
        }
    }
}
