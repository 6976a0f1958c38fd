extension Route {
    /// `/set-cookie?NAME=VALUE…[&to=PATH]`: each pair but `to` a cookie; values without
    /// control characters, `;` or `,`, which would make a different header.
    static func setCookie(_ query: Substring) -> Route {
        var cookies: [String] = []
        var to: String?
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let name = QueryString.percentDecode(parts[0]),
                  let value = QueryString.percentDecode(parts[1]), !name.isEmpty,
                  !(name + value).unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == ";" || $0 == "," })
            else { return .notFound }
            if name == "to" {
                guard value.hasPrefix("/") else { return .notFound }
                to = value
            } else {
                cookies.append("\(name)=\(value)")
            }
        }
        return .setCookie(cookies: cookies, to: to)
    }
}
