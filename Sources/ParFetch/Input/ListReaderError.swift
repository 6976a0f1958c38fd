#if canImport(Glibc)
import Glibc
#endif

/// The list could not be opened or read.
public struct ListReaderError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable {
        /// open or read failed with `errno`.
        case system
        case isDirectory
    }

    private let code: Code
    /// The list as the user named it (`standard input` for `-`, when reading).
    public let path: String
    /// The system's error number, where the failure came from a system call.
    public let errno: Int32?

    private init(_ code: Code, _ path: String, errno: Int32? = nil) {
        self.code = code
        self.path = path
        self.errno = errno
    }

    /// Opening or reading `path` failed with `errno`.
    static func system(_ path: String, errno: Int32) -> Self { Self(.system, path, errno: errno) }
    /// `path` is a directory.
    static func isDirectory(_ path: String) -> Self { Self(.isDirectory, path) }

    /// Why, in the system's words (strerror).
    public var reason: String {
        switch code {
        case .system: String(cString: strerror(errno ?? 0))
        case .isDirectory: String(cString: strerror(EISDIR))
        }
    }

    public var description: String { "cannot read \(path): \(reason)" }
}
