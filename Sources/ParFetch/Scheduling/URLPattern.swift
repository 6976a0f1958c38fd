#if canImport(Glibc)
import Glibc
#endif

/// A POSIX extended regular expression matched against absolute URLs (`CrawlScope`'s include
/// and exclude patterns), compiled once with `regcomp`.
///
/// `@unchecked Sendable`: the compiled pattern is written by `init` only, and glibc's
/// `regexec` is safe to call on one pattern from several threads (it locks the pattern's
/// matcher itself).
public final class URLPattern: @unchecked Sendable, CustomStringConvertible {
    private let compiled: UnsafeMutablePointer<regex_t>
    /// The expression as given.
    public let description: String

    /// Compiles `expression`; throws its error as `regerror` words it.
    public init(_ expression: String) throws(URLPatternError) {
        // Compiled before any property is set: a class whose init throws once they all are
        // runs its deinit, which would free a pattern never compiled.
        let pattern = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        let status = regcomp(pattern, expression, REG_EXTENDED | REG_NOSUB)
        guard status == 0 else {
            var message = [UInt8](repeating: 0, count: 256)
            let length = message.withUnsafeMutableBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { regerror(status, pattern, $0.baseAddress, $0.count) }
            }
            pattern.deallocate()
            let reason = String(decoding: message.prefix(max(0, min(length, message.count) - 1)), as: UTF8.self)
            throw URLPatternError(expression: expression, reason: reason)
        }
        compiled = pattern
        description = expression
    }

    deinit {
        regfree(compiled)
        compiled.deallocate()
    }

    /// Whether the pattern matches anywhere in `url`.
    public func matches(_ url: String) -> Bool {
        regexec(compiled, url, 0, nil, 0) == 0
    }
}

/// A pattern `regcomp` refused.
public struct URLPatternError: Error, Sendable, CustomStringConvertible {
    public let expression: String
    /// `regerror`'s words, e.g. "Unmatched ( or \\(".
    public let reason: String

    public var description: String { "not a regular expression: '\(expression)' (\(reason))" }
}
