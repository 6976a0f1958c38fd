/// Counters of what a ``FixtureServer`` saw, so tests can assert on the client's behaviour
/// (how many connections it opened, how many requests it had in flight at once).
///
/// Encoded as JSON by the `/stats` route with the keys `requests`, `connections`,
/// `max_in_flight`, `in_flight`, `max_in_flight_by_host` and `in_flight_by_host`.
public struct FixtureStats: Sendable, Equatable, Codable {
    /// Requests received, excluding the `/stats` routes themselves.
    public var requests: Int
    /// TCP connections accepted.
    public var connections: Int
    /// The most requests in flight at once: request head received, response not yet fully
    /// written (or the connection not yet closed, for requests never answered).
    public var maxInFlight: Int
    /// Requests in flight now.
    public var inFlight: Int
    /// ``maxInFlight`` for each value of the request's Host header (lowercased, port included;
    /// "" when it has none), so names that reach the same server (`a.localhost:PORT`,
    /// `localhost:PORT`) count apart, as a client's per-host limit does.
    public var maxInFlightByHost: [String: Int]
    /// ``inFlight`` for each Host header value; a host with nothing in flight has no entry.
    public var inFlightByHost: [String: Int]

    /// Creates stats with the given counts (all zero by default).
    public init(
        requests: Int = 0, connections: Int = 0, maxInFlight: Int = 0, inFlight: Int = 0,
        maxInFlightByHost: [String: Int] = [:], inFlightByHost: [String: Int] = [:]
    ) {
        self.requests = requests
        self.connections = connections
        self.maxInFlight = maxInFlight
        self.inFlight = inFlight
        self.maxInFlightByHost = maxInFlightByHost
        self.inFlightByHost = inFlightByHost
    }

    enum CodingKeys: String, CodingKey {
        case requests
        case connections
        case maxInFlight = "max_in_flight"
        case inFlight = "in_flight"
        case maxInFlightByHost = "max_in_flight_by_host"
        case inFlightByHost = "in_flight_by_host"
    }
}
