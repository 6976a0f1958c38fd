#if canImport(Glibc)
import Glibc
#endif

/// Why a `BodyStore` could not be opened or could not save a body.
public struct BodyStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable {
        case cannotCreate(errno: Int32)
        case cannotOpen(errno: Int32)
        case notWritable(errno: Int32)
        case invalidHost
        case hostDirectory(errno: Int32)
        case write(errno: Int32)
        case rename(errno: Int32)
    }

    private let code: Code
    /// The directory, or the host name, the error is about.
    private let subject: String

    private init(_ code: Code, _ subject: String) {
        self.code = code
        self.subject = subject
    }

    static func cannotCreate(_ path: String, errno: Int32) -> Self { Self(.cannotCreate(errno: errno), path) }
    static func cannotOpen(_ path: String, errno: Int32) -> Self { Self(.cannotOpen(errno: errno), path) }
    static func notWritable(_ path: String, errno: Int32) -> Self { Self(.notWritable(errno: errno), path) }
    static func invalidHost(_ host: String) -> Self { Self(.invalidHost, host) }
    static func hostDirectory(_ host: String, errno: Int32) -> Self { Self(.hostDirectory(errno: errno), host) }
    static func write(_ host: String, errno: Int32) -> Self { Self(.write(errno: errno), host) }
    static func rename(_ host: String, errno: Int32) -> Self { Self(.rename(errno: errno), host) }

    /// Whether the host name was refused as a directory name (nothing was written).
    public var isInvalidHost: Bool { code == .invalidHost }

    public var description: String {
        switch code {
        case .cannotCreate(let errno): "cannot create directory \(subject): \(Self.reason(errno))"
        case .cannotOpen(let errno): "cannot open directory \(subject): \(Self.reason(errno))"
        case .notWritable(let errno): "cannot write in directory \(subject): \(Self.reason(errno))"
        case .invalidHost: "host \(Self.quoted(subject)) is not usable as a directory name"
        case .hostDirectory(let errno): "cannot use directory \(Self.quoted(subject)): \(Self.reason(errno))"
        case .write(let errno): "cannot write a file in \(Self.quoted(subject)): \(Self.reason(errno))"
        case .rename(let errno): "cannot rename a file in \(Self.quoted(subject)): \(Self.reason(errno))"
        }
    }

    private static func reason(_ errno: Int32) -> String {
        String(cString: strerror(errno))
    }

    /// A host name as it can be shown on one line: control bytes escaped, long names cut.
    private static func quoted(_ text: String) -> String {
        var shown = ""
        for scalar in text.unicodeScalars.prefix(300) {
            shown += scalar.value < 0x20 || scalar.value == 0x7F ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return "\"" + shown + (text.unicodeScalars.count > 300 ? "…" : "") + "\""
    }
}
