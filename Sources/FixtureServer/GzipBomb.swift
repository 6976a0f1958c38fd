import CZlib
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The bodies of `/gzip-bomb/SIZE`: gzip that inflates to SIZE bytes, `<p>` then zeros, so a
/// client that sniffs the body sees HTML. It checks that a client limits what it inflates, not
/// only what it downloads.
enum GzipBomb {
    static let prefix = Array("<p>".utf8)
    /// Zeros fed to zlib at a time: memory stays the same whatever the size.
    static let inputChunkSize = 256 * 1024
    static let outputChunkSize = 64 * 1024

    /// Compresses SIZE bytes as a stream, so building a 1 GiB bomb costs its ~1 MB of output,
    /// not 1 GiB of input. nil if zlib fails (it only does when out of memory).
    ///
    /// Z_RLE only looks for runs (matches at distance 1), which is all a run of zeros has: as
    /// small as the default strategy's output (258 bytes per length code, about 1000:1) and
    /// much faster. What is left of the time goes mostly to sliding zlib's hash table, of
    /// 2^(memLevel + 7) entries, every 32 KiB of input; memLevel 6 (default 8, most 9) builds
    /// a 1 GiB bomb about 45% faster than 9 for 1% more output (smaller blocks, more headers).
    static func build(size: Int) -> ByteBuffer? {
        var stream = z_stream()
        // windowBits 31 = 15 + 16, the gzip wrapper (see Gzip.compress).
        let initStatus = deflateInit2_(
            &stream, Z_BEST_COMPRESSION, Z_DEFLATED, 31, 6, Z_RLE,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)
        )
        guard initStatus == Z_OK else { return nil }
        defer { deflateEnd(&stream) }

        var output = ByteBuffer()
        output.reserveCapacity(size / 1000 + 1024)
        var input = [UInt8](repeating: 0, count: Self.inputChunkSize)
        let prefixLength = min(size, Self.prefix.count)
        input.replaceSubrange(0..<prefixLength, with: Self.prefix[..<prefixLength])
        var outputChunk = [UInt8](repeating: 0, count: Self.outputChunkSize)
        var remaining = size
        var finished = false
        input.withUnsafeMutableBufferPointer { input in
            outputChunk.withUnsafeMutableBufferPointer { outputChunk in
                repeat {
                    let length = min(remaining, input.count)
                    remaining -= length
                    stream.next_in = input.baseAddress
                    stream.avail_in = uInt(length)
                    let flush = remaining == 0 ? Z_FINISH : Z_NO_FLUSH
                    // zlib's usual loop (zpipe.c): deflate until it leaves output space unused,
                    // which means it has taken all the input (and, with Z_FINISH, ended the stream).
                    repeat {
                        stream.next_out = outputChunk.baseAddress
                        stream.avail_out = uInt(outputChunk.count)
                        let status = deflate(&stream, flush)
                        guard status != Z_STREAM_ERROR else { return }
                        finished = status == Z_STREAM_END
                        let produced = outputChunk.count - Int(stream.avail_out)
                        output.writeBytes(UnsafeRawBufferPointer(start: outputChunk.baseAddress, count: produced))
                    } while stream.avail_out == 0
                    // The prefix starts the body only: the later chunks are zeros throughout.
                    for index in 0..<prefixLength {
                        input[index] = 0
                    }
                } while remaining > 0
            }
        }
        return finished ? output : nil
    }
}

/// Built bombs, one per size: a 1 GiB bomb takes a second or more of CPU to build, so repeated
/// requests reuse it (about 1 MB).
///
/// Bombs are built on the server's thread pool, not on an event loop, so the other connections
/// of that loop are not held up meanwhile. The cache holds futures: requests for a size that is
/// still being built wait for that build instead of starting another.
final class GzipBombCache: Sendable {
    /// Distinct sizes kept (the oldest is dropped first): at most 16 × ~4 MB.
    static let capacity = 16

    private struct Cache {
        var bodies: [Int: EventLoopFuture<ByteBuffer>] = [:]
        var sizesOldestFirst: [Int] = []
    }

    struct BuildFailed: Error {}

    private let threadPool: NIOThreadPool
    private let cache = NIOLockedValueBox(Cache())  // protected by its own lock

    init(threadPool: NIOThreadPool) {
        self.threadPool = threadPool
    }

    /// The bomb of `size` bytes; the future may complete on another event loop than `eventLoop`
    /// (the one of the request that started the build).
    func body(size: Int, eventLoop: EventLoop) -> EventLoopFuture<ByteBuffer> {
        self.cache.withLockedValue { cache in
            if let body = cache.bodies[size] {
                return body
            }
            let body = self.threadPool.runIfActive(eventLoop: eventLoop) {
                guard let body = GzipBomb.build(size: size) else { throw BuildFailed() }
                return body
            }
            if cache.sizesOldestFirst.count >= Self.capacity {
                cache.bodies[cache.sizesOldestFirst.removeFirst()] = nil
            }
            cache.bodies[size] = body
            cache.sizesOldestFirst.append(size)
            return body
        }
    }
}
