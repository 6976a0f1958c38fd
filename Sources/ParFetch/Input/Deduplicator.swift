/// Finds repeated URLs in a list (`--dedupe`): the first line of each distinct URL is
/// fetched, the later ones point at it. Keeps a 64-bit hash of each distinct URL (its
/// fragment aside: it is never sent) and the line it was first seen on, about 30 bytes a
/// distinct URL, never the URLs themselves. Two distinct URLs could share a hash: with 64 bits,
/// the odds are about one in 10^8 for a list of 600,000 distinct URLs.
struct Deduplicator {
    private var firstLines: [Int: Int] = [:]

    /// The line `url` was first seen on, or nil (and `line` is remembered) if this is the first.
    mutating func earlierLine(for url: String, line: Int) -> Int? {
        var url = url
        let key = url.withUTF8 { bytes in
            var hasher = Hasher()
            let beforeFragment = bytes.prefix { $0 != UInt8(ascii: "#") }
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: beforeFragment)))
            return hasher.finalize()
        }
        if let first = firstLines[key] { return first }
        firstLines[key] = line
        return nil
    }
}
