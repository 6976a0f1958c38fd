/// Why a fetch did not produce a complete response. Transport failures are values carried in
/// a `Response`, not thrown: a run goes on whatever happens to one URL.
public struct FetchError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stable, documented category of a failure (the record's `error.kind`).
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: String {
            case invalidURL = "invalid_url"
            case invalidInput = "invalid_input"
            case unsupportedScheme = "unsupported_scheme"
            case dns
            case connect
            case tls
            case timeout
            case reset
            case tooManyRedirects = "too_many_redirects"
            case tooLarge = "too_large"
            case http2
            case interrupted
            case robots
            case outOfScope = "out_of_scope"
            case other
        }

        private let code: Code

        private init(_ code: Code) { self.code = code }

        /// The line is not an absolute URL libcurl can parse.
        public static let invalidURL = Kind(.invalidURL)
        /// A JSON Lines input line that is not a request parfetch can make: not a JSON
        /// object, a key it does not know, a value of the wrong type.
        public static let invalidInput = Kind(.invalidInput)
        /// The scheme is not http or https (also for redirects to one).
        public static let unsupportedScheme = Kind(.unsupportedScheme)
        /// The host name could not be resolved.
        public static let dns = Kind(.dns)
        /// No connection could be made.
        public static let connect = Kind(.connect)
        /// TLS handshake or certificate failure.
        public static let tls = Kind(.tls)
        /// A time limit was reached.
        public static let timeout = Kind(.timeout)
        /// The connection was reset or closed before the response was complete.
        public static let reset = Kind(.reset)
        /// More redirects than allowed.
        public static let tooManyRedirects = Kind(.tooManyRedirects)
        /// The body was larger than the size limit, or the response headers larger than
        /// libcurl accepts (100 KiB a line, 300 KiB in all).
        public static let tooLarge = Kind(.tooLarge)
        /// An HTTP/2 framing or stream error.
        public static let http2 = Kind(.http2)
        /// The transfer was cancelled or the run interrupted.
        public static let interrupted = Kind(.interrupted)
        /// robots.txt disallows the URL.
        public static let robots = Kind(.robots)
        /// A crawl's redirect went to a URL outside the crawl's scope, and was not followed.
        public static let outOfScope = Kind(.outOfScope)
        /// Anything else, such as malformed chunked encoding. Not retried.
        public static let other = Kind(.other)

        /// Every kind, in the order the record contract lists them.
        public static let all: [Kind] = [
            .invalidURL, .invalidInput, .unsupportedScheme, .dns, .connect, .tls, .timeout, .reset, .tooManyRedirects,
            .tooLarge, .http2, .interrupted, .robots, .outOfScope, .other,
        ]

        /// The name used in records, e.g. `too_large`.
        public var description: String { code.rawValue }
    }

    public var kind: Kind
    /// One line for people, e.g. libcurl's error text.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind): \(message)" }
}
