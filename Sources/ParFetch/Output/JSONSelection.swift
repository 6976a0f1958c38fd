/// Which keys a JSON record keeps: a bit per key, so the encoder asks a mask rather than a
/// list for each of millions of records.
struct JSONSelection: Sendable {
    struct Keys: OptionSet, Sendable {
        let rawValue: UInt32

        static let line = Keys(rawValue: 1 << 0)
        static let url = Keys(rawValue: 1 << 1)
        static let finalURL = Keys(rawValue: 1 << 2)
        static let status = Keys(rawValue: 1 << 3)
        static let ok = Keys(rawValue: 1 << 4)
        static let contentType = Keys(rawValue: 1 << 5)
        static let bytes = Keys(rawValue: 1 << 6)
        static let httpVersion = Keys(rawValue: 1 << 7)
        static let redirects = Keys(rawValue: 1 << 8)
        static let attempts = Keys(rawValue: 1 << 9)
        static let duplicateOf = Keys(rawValue: 1 << 10)
        static let timeTotal = Keys(rawValue: 1 << 11)
        static let timeDNS = Keys(rawValue: 1 << 12)
        static let timeConnect = Keys(rawValue: 1 << 13)
        static let timeTLS = Keys(rawValue: 1 << 14)
        static let timeFirstByte = Keys(rawValue: 1 << 15)
        static let title = Keys(rawValue: 1 << 16)
        static let description = Keys(rawValue: 1 << 17)
        static let lang = Keys(rawValue: 1 << 18)
        static let canonical = Keys(rawValue: 1 << 19)
        static let links = Keys(rawValue: 1 << 20)
        static let linksCount = Keys(rawValue: 1 << 21)
        /// Every entry of `extract`.
        static let extract = Keys(rawValue: 1 << 22)
        static let errorKind = Keys(rawValue: 1 << 23)
        static let errorMessage = Keys(rawValue: 1 << 24)
        static let saved = Keys(rawValue: 1 << 25)
        static let linksTruncated = Keys(rawValue: 1 << 26)

        static let time: Keys = [.timeTotal, .timeDNS, .timeConnect, .timeTLS, .timeFirstByte]
        static let error: Keys = [.errorKind, .errorMessage]
        /// The full record of the contract (which has no `links_count`).
        static let record = Keys(rawValue: (1 << 27) - 1).subtracting(.linksCount)
    }

    var keys: Keys
    /// The `extract` entries kept by name, when `keys` lacks `.extract`.
    var extractNames: [String] = []

    /// The full record, as JSON Lines are written without `--fields`.
    static let record = JSONSelection(keys: .record)

    init(keys: Keys) {
        self.keys = keys
    }

    init(_ fields: [RecordField]) {
        keys = []
        for field in fields {
            switch field {
            case .line: keys.insert(.line)
            case .url: keys.insert(.url)
            case .finalURL: keys.insert(.finalURL)
            case .status: keys.insert(.status)
            case .ok: keys.insert(.ok)
            case .contentType: keys.insert(.contentType)
            case .bytes: keys.insert(.bytes)
            case .httpVersion: keys.insert(.httpVersion)
            case .redirects: keys.insert(.redirects)
            case .attempts: keys.insert(.attempts)
            case .duplicateOf: keys.insert(.duplicateOf)
            case .time: keys.formUnion(.time)
            case .timeTotal: keys.insert(.timeTotal)
            case .timeDNS: keys.insert(.timeDNS)
            case .timeConnect: keys.insert(.timeConnect)
            case .timeTLS: keys.insert(.timeTLS)
            case .timeFirstByte: keys.insert(.timeFirstByte)
            case .title: keys.insert(.title)
            case .description: keys.insert(.description)
            case .lang: keys.insert(.lang)
            case .canonical: keys.insert(.canonical)
            case .links: keys.insert(.links)
            case .linksTruncated: keys.insert(.linksTruncated)
            case .linksCount: keys.insert(.linksCount)
            case .extract: keys.insert(.extract)
            case .extractRule(let name): extractNames.append(name)
            case .saved: keys.insert(.saved)
            case .error: keys.formUnion(.error)
            case .errorKind: keys.insert(.errorKind)
            case .errorMessage: keys.insert(.errorMessage)
            }
        }
    }

    /// Whether `timing` has a value for a selected key: a `time` object with none is left out,
    /// as absent values are.
    func keepsAny(of timing: Timing) -> Bool {
        keys.contains(.timeTotal)
            || keys.contains(.timeDNS) && timing.dnsMicroseconds != nil
            || keys.contains(.timeConnect) && timing.connectMicroseconds != nil
            || keys.contains(.timeTLS) && timing.tlsMicroseconds != nil
            || keys.contains(.timeFirstByte) && timing.firstByteMicroseconds != nil
    }

    func keeps(_ entry: PageData.Extracted) -> Bool {
        keys.contains(.extract) || extractNames.contains(entry.name)
    }
}
