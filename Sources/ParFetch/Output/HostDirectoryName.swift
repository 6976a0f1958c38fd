/// The name of a host's directory in a `BodyStore`: one path component, whatever the host.
enum HostDirectoryName {
    /// Longest name most file systems take for one component (Linux `NAME_MAX`).
    static let maxBytes = 255

    /// Whether `name` is safe as a single directory entry inside the store: not empty, not `.`
    /// or `..`, at most 255 bytes, and free of `/`, NUL and control bytes. This is the last
    /// check before a write, so it assumes nothing about where the name came from.
    static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= maxBytes, name != ".", name != ".." else { return false }
        return !bytes.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") }
    }
}
