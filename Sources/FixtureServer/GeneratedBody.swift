import NIOCore

/// A body made as it is written, part after part, so that a page of a million links or a
/// never-ending stream costs the server one write's worth of memory.
struct GeneratedBody {
    enum Part {
        case text(String)
        /// `item(0)`, `item(1)`, … `item(count - 1)`.
        case repeated(count: Int, item: (Int) -> String)
        /// `count` pseudo-random bytes (splitmix64 from `seed`): the same seed, the same bytes.
        case random(count: Int, seed: UInt64)
    }

    private var parts: [Part]
    private var partIndex = 0
    /// Items (or bytes, for `.random`) of the current part already written.
    private var written = 0

    init(_ parts: [Part]) {
        self.parts = parts
    }

    /// Appends about `budget` bytes (a part's item may go a little over) to `buffer`; false
    /// once the whole body has been appended.
    mutating func append(to buffer: inout ByteBuffer, budget: Int) -> Bool {
        let end = buffer.writerIndex + budget
        while partIndex < parts.count && buffer.writerIndex < end {
            switch parts[partIndex] {
            case .text(let text):
                buffer.writeString(text)
                nextPart()
            case .repeated(let count, let item):
                // Items are gathered into one string per write: a buffer write per item is
                // slow in a debug build under a sanitizer.
                let budget = end - buffer.writerIndex
                var text = ""
                text.reserveCapacity(budget + 256)
                while written < count && text.utf8.count < budget {
                    text += item(written)
                    written += 1
                }
                buffer.writeString(text)
                if written == count { nextPart() }
            case .random(let count, let seed):
                let length = min(count - written, end - buffer.writerIndex)
                Self.appendRandom(length, seed: seed, offset: written, to: &buffer)
                written += length
                if written == count { nextPart() }
            }
        }
        return partIndex < parts.count
    }

    private mutating func nextPart() {
        partIndex += 1
        written = 0
    }

    /// Bytes `offset ..< offset + length` of the stream: byte `i` is byte `i % 8` of
    /// splitmix64's output number `i / 8`, so any part of it can be made on its own. Written
    /// straight into the buffer's memory (a buffer write per byte is slow in a debug build
    /// under a sanitizer).
    private static func appendRandom(_ length: Int, seed: UInt64, offset: Int, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { memory in
            for position in 0..<length {
                let index = offset + position
                let word = splitmix64(seed &+ UInt64(index / 8) &* 0x9E37_79B9_7F4A_7C15)
                memory[position] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
            }
            return length
        }
    }

    static func splitmix64(_ state: UInt64) -> UInt64 {
        var z = state &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
