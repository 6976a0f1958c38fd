/// The URLs a crawl has seen, as 64-bit hashes (`hash(_:)`) and nothing else, so that memory
/// stays near 8 bytes a URL at any size: open addressing with linear probing in one array,
/// which grows by half when seven eighths full (so between 9 and 14 bytes a URL; a growth
/// briefly holds the old array and the new). Not thread-safe: its owner locks.
///
/// Two distinct URLs share a hash with odds of about n² / 2⁶⁵ for n URLs: 3 × 10⁻⁴ for
/// 100 million, one in 3.7 million for a million. A collision costs one page, never fetched.
struct SeenSet {
    /// 0 marks an empty slot; `hash` never returns it.
    private var slots: [UInt64]
    private(set) var count = 0

    init(capacity: Int = 1024) {
        slots = Array(repeating: 0, count: max(16, capacity))
    }

    /// Adds `hash`; false when it was there already.
    mutating func insert(_ hash: UInt64) -> Bool {
        if (count + 1) * 8 > slots.count * 7 { grow() }
        var index = Self.home(of: hash, in: slots.count)
        while true {
            let slot = slots[index]
            if slot == hash { return false }
            if slot == 0 {
                slots[index] = hash
                count += 1
                return true
            }
            index += 1
            if index == slots.count { index = 0 }
        }
    }

    func contains(_ hash: UInt64) -> Bool {
        var index = Self.home(of: hash, in: slots.count)
        while true {
            let slot = slots[index]
            if slot == hash { return true }
            if slot == 0 { return false }
            index += 1
            if index == slots.count { index = 0 }
        }
    }

    /// Bytes the set holds.
    var memory: Int { slots.count * MemoryLayout<UInt64>.stride }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count + old.count / 2)
        count = 0
        for hash in old where hash != 0 { _ = insert(hash) }
    }

    /// The slot a hash starts probing at: its high bits scaled to the table (no power-of-two
    /// size needed, which is what lets the table grow by half).
    private static func home(of hash: UInt64, in size: Int) -> Int {
        Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(size)).high)
    }

    /// A fixed 64-bit hash of `url`'s UTF-8 bytes (FNV-1a, then MurmurHash3's finaliser so
    /// that every bit depends on every byte), never 0. Fixed, unlike Swift's `Hasher`, so
    /// that a resumed crawl rebuilds the same set.
    static func hash<Bytes: Sequence<UInt8>>(_ url: Bytes) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in url {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash == 0 ? 1 : hash
    }
}
