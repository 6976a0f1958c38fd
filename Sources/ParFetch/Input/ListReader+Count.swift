#if canImport(Glibc)
import Glibc
#endif

extension ListReader {
    /// The number of lines of the list at `path` that a run gives a record (the lines that are
    /// not blank or comments), counted in one pass of reads without keeping lines: for a
    /// progress display's total. Nil for standard input or a file that can't be read.
    public static func countEntries(path: String) -> Int? {
        guard path != "-", let fd = try? System.open(path, O_RDONLY) else { return nil }
        defer { System.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var count = 0
        // Within the current line: still in its leading white space (and first line's BOM).
        var atLineStart = true
        var bomLeft = 3
        while true {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            // A file that ends within what began as a BOM: those bytes are a line of text.
            if got == 0 { return bomLeft > 0 && bomLeft < 3 ? count + 1 : count }
            for byte in buffer[0..<got] {
                if bomLeft > 0 {
                    if byte == Self.byteOrderMark[3 - bomLeft] {
                        bomLeft -= 1
                        continue
                    }
                    // Part of a BOM and then something else: a line of (invalid) text.
                    if bomLeft < 3 {
                        atLineStart = false
                        count += 1
                    }
                    bomLeft = 0
                }
                if byte == 0x0A {
                    atLineStart = true
                } else if atLineStart, !(byte == 0x20 || (0x09...0x0D).contains(byte)) {
                    atLineStart = false
                    if byte != UInt8(ascii: "#") { count += 1 }
                }
            }
        }
    }
}
