import CZlib

/// gzip for tests, streamed: a body of pieces repeated many times (a gzip bomb of a gigabyte)
/// costs its compressed size, not its inflated one.
enum GzipWriter {
    /// `pieces` compressed as one gzip member, each piece fed `count` times in turn.
    /// Z_RLE: the filler of a bomb is runs of one byte, which it compresses about 1000:1, fast.
    static func gzip(_ pieces: [(bytes: [UInt8], count: Int)], strategy: Int32 = Z_DEFAULT_STRATEGY) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { deflateEnd(stream); stream.deallocate() }
        precondition(deflateInit2_(stream, Z_BEST_COMPRESSION, Z_DEFLATED, 31, 8, strategy,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        func feed(_ input: [UInt8], flush: Int32) {
            var input = input
            input.withUnsafeMutableBufferPointer { input in
                chunk.withUnsafeMutableBufferPointer { chunk in
                    stream.pointee.next_in = input.baseAddress
                    stream.pointee.avail_in = uInt(input.count)
                    repeat {
                        stream.pointee.next_out = chunk.baseAddress
                        stream.pointee.avail_out = uInt(chunk.count)
                        precondition(deflate(stream, flush) != Z_STREAM_ERROR)
                        output.append(contentsOf: chunk[..<(chunk.count - Int(stream.pointee.avail_out))])
                    } while stream.pointee.avail_out == 0
                }
            }
        }
        for piece in pieces {
            for _ in 0..<piece.count { feed(piece.bytes, flush: Z_NO_FLUSH) }
        }
        feed([], flush: Z_FINISH)
        return output
    }

    static func gzip(_ bytes: [UInt8]) -> [UInt8] { gzip([(bytes, 1)]) }
}
