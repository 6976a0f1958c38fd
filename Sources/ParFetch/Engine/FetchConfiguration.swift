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

/// The version of parfetch, reported by `--version` and in the default User-Agent.
public enum ParFetchVersion {
    public static let string = "0.1.0"
}
