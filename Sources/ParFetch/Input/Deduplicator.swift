/// Finds repeated URLs in a list (`--dedupe`): the first line of each distinct URL is
/// fetched, the later ones point at it. Keeps a 64-bit hash of each distinct URL (its
/// fragment aside: it is never sent) and the line it was first seen on, about 30 bytes a
/// distinct URL, never the URLs themselves. Two distinct URLs could share a hash: with 64 bits,
/// the odds are about one in 10^8 for a list of 600,000 distinct URLs.
struct Deduplicator {
    private var firstLines: [Int: Int] = [:]

    /// The line `url` was first seen on, or nil (and `line` is remembered) if this is the first.
    mutating func earlierLine(for url: CheckedURL, line: Int) -> Int? {
        var resource = url.withoutFragment
        // The bytes, not the characters: String hashing normalises Unicode, which costs more
        // and would make two spellings one URL.
        let key = resource.withUTF8 { bytes in
            var hasher = Hasher()
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
            return hasher.finalize()
        }
        if let first = firstLines[key] { return first }
        firstLines[key] = line
        return nil
    }
}
