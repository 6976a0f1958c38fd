/// Settings that apply to every transfer of a `Fetcher`.
public struct FetchConfiguration: Sendable, Hashable {
    /// Limit for the whole attempt, in seconds (nil: none).
    public var timeout: Double? = 30
    /// Limit for connecting (TCP and TLS), in seconds.
    public var connectTimeout: Double? = 10
    /// Limit on silence: a transfer that receives less than a body byte a second for this many
    /// seconds (rounded up to whole seconds, libcurl's unit) ends as `timeout` (nil: none).
    /// libcurl counts body bytes only: a response head still arriving by then ends it too.
    public var stallTimeout: Double?
    /// Redirects followed at most.
    public var maxRedirects: Int = 10
    /// Body bytes accepted at most, after decoding; more ends the transfer as `too_large`.
    public var maxSize: Int64 = 64 << 20
    /// Request headers in curl's syntax (`Name: value`).
    public var headers: [String] = []
    public var userAgent: String = "parfetch/\(ParFetchVersion.string)"
    /// A proxy URL as curl accepts it (`http://host:port`, `socks5h://…`).
    public var proxy: String?
    /// Skip TLS certificate and host name verification.
    public var insecure: Bool = false
    /// Keep every transfer's HTTP exchanges as sent and received (`Response.capture`, for
    /// WARC). Transfers then use HTTP/1.1 only.
    public var capturesExchanges: Bool = false
    /// Which response bodies to keep (for parsing or saving); the others are only counted.
    public var bodies: BodyRetention = .all
    /// Credentials for every host (libcurl sends them to the URL's host only, not to the
    /// hosts redirects lead to).
    public var credentials: Credentials?
    /// Read credentials from a `.netrc` file, as curl's `--netrc`; nil: not.
    public var netrc: Netrc?
    /// Cookies shared by every transfer of the fetcher (nil: each transfer keeps the cookies
    /// of its own redirect chain, and forgets them after).
    public var cookies: CookieSettings?
    /// A `Cookie` header for every request (curl's `-b NAME=VALUE`).
    public var cookieHeader: String?
    /// Addresses for host and port pairs, as curl's `--resolve` (`HOST:PORT:ADDR[,ADDR]…`).
    public var resolve: [String] = []
    /// Where to connect instead, as curl's `--connect-to` (`HOST:PORT:HOST2:PORT2`).
    public var connectTo: [String] = []
    /// A PEM file of the certificate authorities to trust instead of the system's.
    public var caCertificates: String?
    /// A client certificate (PEM) and its private key, when it is not in the same file.
    public var clientCertificate: String?
    public var clientKey: String?
    /// How many transfers, the first to start, write libcurl's trace to standard error
    /// (`TransferTrace`, as `curl -v` shows it); 0: none.
    public var tracedTransfers = 0
    /// The HTTP version to ask for; nil: libcurl's default (HTTP/2 over TLS, else 1.1).
    public var httpVersion: HTTPVersionChoice?
    /// Response headers to report (`Response.headerFields`), lower-case names.
    public var headerFields: [String] = []

    public init() {}
}

/// Which response bodies a fetcher keeps in memory.
public enum BodyRetention: Sendable, Hashable {
    /// None: only their size is counted.
    case none
    case all
    /// Bodies whose Content-Type is HTML, or absent (they may sniff as HTML).
    case html
}

/// A user name and password, and how they may be sent. `description` leaves the password out,
/// so that printing a configuration never shows it.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: Sendable, Hashable {
        /// Basic authentication, sent with the first request (curl's default).
        case basic
        /// Digest authentication, answering the server's 401 challenge (curl's `--digest`).
        case digest
        /// Whichever scheme the server asks for in its 401 (curl's `--anyauth`).
        case any
    }

    public var user: String
    public var password: String
    public var scheme: Scheme

    public init(user: String, password: String, scheme: Scheme = .basic) {
        self.user = user
        self.password = password
        self.scheme = scheme
    }

    public var description: String { "\(user):***" }
}

/// Where credentials come from when a `.netrc` file is used (curl's `--netrc`, `--netrc-file`):
/// the file's, never the URL's.
public enum Netrc: Sendable, Hashable {
    /// `~/.netrc`.
    case home
    case file(String)
}

/// A run's shared cookies: the files read at the start (Netscape format or Set-Cookie lines,
/// as curl's `-b FILE`; a missing file is none) and the file written at the end (`-c`).
public struct CookieSettings: Sendable, Hashable {
    public var files: [String]
    public var jar: String?

    public init(files: [String] = [], jar: String? = nil) {
        self.files = files
        self.jar = jar
    }
}

/// The HTTP version a fetcher asks for, as curl's `--http1.1`, `--http2` and
/// `--http2-prior-knowledge`.
public enum HTTPVersionChoice: Sendable, Hashable {
    case http1_1
    /// HTTP/2 where the server agrees (ALPN over TLS, an `Upgrade: h2c` in clear text).
    case http2
    /// HTTP/2 from the first byte, without asking.
    case http2PriorKnowledge
}

/// The version of parfetch, reported by `--version` and in the default User-Agent.
public enum ParFetchVersion {
    public static let string = "0.1.0"
}
