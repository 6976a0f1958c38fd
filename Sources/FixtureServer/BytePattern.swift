import NIOCore

/// The body of `/bytes/N`: byte `i` is `alphabet[i % 64]`, so a client can check any part of a
/// large body without the server (or the client) holding all of it.
enum BytePattern {
    /// 64 printable bytes ending in a newline; 64 divides ``chunkSize``, so every chunk starts
    /// the pattern afresh and chunks can be sent back to back.
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n".utf8)

    /// How much of the body is written at once (a write never exceeds it).
    static let chunkSize = 64 * 1024

    /// One chunk of the pattern, built once and shared: slices of a ByteBuffer share its storage,
    /// so a 1 GB body costs 64 KiB of memory.
    static let chunk: ByteBuffer = {
        var buffer = ByteBufferAllocator().buffer(capacity: chunkSize)
        for _ in 0..<(chunkSize / alphabet.count) {
            buffer.writeBytes(alphabet)
        }
        return buffer
    }()

    /// The first `length` bytes of the pattern (`length` ≤ ``chunkSize``).
    static func prefix(_ length: Int) -> ByteBuffer {
        precondition(length <= chunkSize)
        return chunk.getSlice(at: chunk.readerIndex, length: length)!
    }
}
