/// An absolute http or https URL that libcurl's URL API has accepted, taken apart once, where
/// it was checked: every later stage (scheduling, robots.txt, de-duplication, records) reads
/// its parts from here instead of parsing the text again.
///
/// Small on purpose, as a look-ahead holds 100,000 of them: libcurl's spelling of the URL,
/// the host key, and where the path and the fragment start in that spelling. The offsets come
/// from the lengths of the parts libcurl reports (the path, query and fragment end its
/// spelling), not from reading the text.
public struct CheckedURL: Sendable, Hashable, CustomStringConvertible {
    /// libcurl's spelling of the URL (`http:/a/x` becomes `http://a/x`): what is fetched.
    public let absolute: String
    /// What the scheduler files the URL under: the host, lower-cased, and the port (the
    /// scheme's default when none is given), e.g. `example.com:443`. Two ports of one machine
    /// are two hosts, as two servers may listen there.
    public let hostKey: String
    /// The scheme is https (otherwise http).
    public let isHTTPS: Bool
    /// UTF-8 offsets into `absolute`: where the path starts, and where `#fragment` starts
    /// (the end when there is none).
    private let pathStart: Int32
    private let fragmentStart: Int32
    /// UTF-8 bytes of `hostKey` before `:port`.
    private let hostLength: Int32

    init(absolute: String, host: String, port: String, isHTTPS: Bool, pathStart: Int, fragmentStart: Int) {
        self.absolute = absolute
        hostKey = host + ":" + port
        hostLength = Int32(host.utf8.count)
        self.isHTTPS = isHTTPS
        self.pathStart = Int32(pathStart)
        self.fragmentStart = Int32(fragmentStart)
    }

    /// Checks `text` with libcurl's URL API; throws why it can't be fetched (`invalid_url`,
    /// `unsupported_scheme`). Each call sets up a libcurl URL handle: a reader of many URLs
    /// keeps a `ListReader`, which reuses one.
    public init(_ text: String) throws(FetchError) {
        self = try URLCheck().check(text).get()
    }

    /// The host, lower-cased: a name (`example.com`), an IPv4 address, or an IPv6 address in
    /// brackets (`[::1]`), as libcurl spells it.
    public var host: String { String(Substring(hostKey.utf8.prefix(Int(hostLength)))) }

    /// `http` or `https`.
    public var scheme: String { isHTTPS ? "https" : "http" }

    /// The path and query, without the fragment: `/a/b?c` (libcurl always spells a path,
    /// `/` at least). What robots.txt rules match.
    public var pathAndQuery: Substring {
        let utf8 = absolute.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: Int(pathStart))
        let end = utf8.index(utf8.startIndex, offsetBy: Int(fragmentStart))
        return Substring(utf8[start..<end])
    }

    /// The URL without its fragment, which is never sent: two URLs that differ only there are
    /// one resource (`--dedupe`, a crawl's seen-set).
    public var withoutFragment: Substring {
        let utf8 = absolute.utf8
        return Substring(utf8[..<utf8.index(utf8.startIndex, offsetBy: Int(fragmentStart))])
    }

    /// Everything before the path: `scheme://[user[:password]@]host[:port]`.
    var beforePath: Substring {
        let utf8 = absolute.utf8
        return Substring(utf8[..<utf8.index(utf8.startIndex, offsetBy: Int(pathStart))])
    }

    /// Where the host's robots.txt is: this URL with the path `/robots.txt` and no query or
    /// fragment (user and password kept, as for the page itself).
    public var robotsURL: String { beforePath + "/robots.txt" }

    public var description: String { absolute }
}
