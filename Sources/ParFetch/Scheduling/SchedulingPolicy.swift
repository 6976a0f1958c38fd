/// How politely a crawl treats each host: how much it asks of one host at once and how often,
/// and what it does when a host fails or asks it to slow down.
public struct SchedulingPolicy: Sendable, Hashable {
    /// Transfers in flight to one host (host name and port) at most.
    public var perHost = 6
    /// New requests per second at most, over all hosts (nil: no limit).
    public var rate: Double?
    /// Seconds between the starts of two requests to one host at least.
    public var delay: Double = 0
    /// Vary each `delay` at random by ±50 %, so that requests do not fall into lock-step.
    public var jitter = true
    /// Retries of a retryable failure: connect errors, timeouts, resets, HTTP 408, 429, 500,
    /// 502, 503 and 504.
    public var retries = 2
    /// Backoff before retry n (from 1) is random in [0, min(backoffCap, backoffBase × 2^(n-1))]
    /// seconds ("full jitter"), unless the server said how long to wait.
    public var backoffBase = 0.5
    public var backoffCap = 30.0
    /// The longest Retry-After honoured, in seconds: a URL whose server asks for more is not
    /// retried, and its host is paused this long at most.
    public var maxRetryWait = 60.0
    /// Consecutive connect or DNS failures after which a host is given up: its remaining URLs
    /// get error records without being fetched (0: never).
    public var hostErrors = 10
    /// Fetch each host's robots.txt first and skip the URLs it disallows.
    public var robots = false
    /// Input lines read ahead of the transfers at most, so that work for idle hosts is found
    /// behind a long run of one busy host.
    public var lookahead = 100_000

    public init() {}
}
