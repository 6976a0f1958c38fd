/// Counters of what a ``FixtureServer`` saw, so tests can assert on the client's behaviour
/// (how many connections it opened, how many requests it had in flight at once).
///
/// Encoded as JSON by the `/stats` route with the keys `requests`, `connections`,
/// `max_in_flight` and `in_flight`.
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

    /// Creates stats with the given counts (all zero by default).
    public init(requests: Int = 0, connections: Int = 0, maxInFlight: Int = 0, inFlight: Int = 0) {
        self.requests = requests
        self.connections = connections
        self.maxInFlight = maxInFlight
        self.inFlight = inFlight
    }

    enum CodingKeys: String, CodingKey {
        case requests
        case connections
        case maxInFlight = "max_in_flight"
        case inFlight = "in_flight"
    }
}
