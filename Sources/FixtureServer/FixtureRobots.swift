/// How a ``FixtureServer`` answers `/robots.txt`, chosen when it starts: a crawler's scheduler
/// must treat each of these differently (RFC 9309: 4xx means no rules, 5xx means stay away,
/// no answer at all means the fetch must time out on its own).
public enum FixtureRobots: Sendable, Equatable {
    /// 404: the site has no robots.txt.
    case missing
    /// 200 with this `text/plain` body.
    case text(String)
    /// This status (200–599) with a short text body, as `/status/CODE` answers: 3xx come with
    /// `Location: /page/index.html`.
    case status(Int)
    /// No answer: the request stays in flight until the client closes the connection.
    case hang
}
