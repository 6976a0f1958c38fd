import CLibCrypto

/// A message digest computed by OpenSSL's libcrypto (its EVP interface), fed in pieces: SHA-1
/// for WARC's block and payload digests, SHA-256 for the names of saved bodies. Not copyable:
/// it owns libcrypto's context.
struct Digest: ~Copyable {
    enum Algorithm {
        case sha1, sha256
    }

    private let context: OpaquePointer

    init(_ algorithm: Algorithm) {
        // Allocation is the only way these fail, and then nothing else would work either.
        guard let context = EVP_MD_CTX_new(),
              EVP_DigestInit_ex(context, algorithm == .sha1 ? EVP_sha1() : EVP_sha256(), nil) == 1
        else { fatalError("libcrypto could not start a digest: out of memory") }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    mutating func update(_ bytes: some Sequence<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// The digest of everything fed, ending the digest.
    consuming func finish() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        output.removeSubrange(Int(length)...)
        return output
    }

    /// The digest of `message` in one call.
    static func of(_ message: some Sequence<UInt8>, _ algorithm: Algorithm) -> [UInt8] {
        var digest = Digest(algorithm)
        digest.update(message)
        return digest.finish()
    }
}

/// SHA-256, for naming saved bodies after their URL.
enum SHA256 {
    /// The 32-byte digest of `message`.
    static func digest(_ message: some Sequence<UInt8>) -> [UInt8] {
        Digest.of(message, .sha256)
    }

    /// The digest in lower-case hexadecimal.
    static func hexDigest(_ message: some Sequence<UInt8>) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest(message) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
