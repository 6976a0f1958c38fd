/// A request's `Host` header taken apart: the name (lowercased, port stripped, an IPv6
/// literal kept in its brackets) routes the `/crawl/` site, the port writes its absolute links.
struct HostHeader: Equatable, Sendable {
    var name: String
    var port: Int?

    init(name: String, port: Int?) {
        self.name = name
        self.port = port
    }

    /// nil (no header) and "" give the name "".
    init(_ value: String?) {
        let value = (value ?? "").lowercased()
        // "[::1]:8080": the port follows the closing bracket; "[::1]" has none.
        let portColon: String.Index?
        if value.hasPrefix("["), let close = value.firstIndex(of: "]") {
            let after = value.index(after: close)
            portColon = after < value.endIndex && value[after] == ":" ? after : nil
        } else {
            portColon = value.lastIndex(of: ":")
        }
        guard let portColon else {
            self.init(name: value, port: nil)
            return
        }
        self.init(
            name: String(value[..<portColon]),
            port: Route.number(value[value.index(after: portColon)...], in: 0...65535)
        )
    }
}
