import Foundation
@testable import ParFetch

/// A scratch directory for a test, removed when the value is released.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("save-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    func sub(_ name: String) -> String { path + "/" + name }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Everything under a directory, without following symbolic links: relative path → what is
/// there (`dir`, `file <sha256>`, `link -> target`). Comparing two snapshots shows every entry
/// created, removed or changed between them.
enum DirectoryTree {
    static func snapshot(_ root: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        try walk(root, relative: "", into: &entries)
        return entries
    }

    private static func walk(_ path: String, relative: String, into entries: inout [String: String]) throws {
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: path) {
            let full = path + "/" + name
            let key = relative.isEmpty ? name : relative + "/" + name
            let type = try manager.attributesOfItem(atPath: full)[.type] as? FileAttributeType
            switch type {
            case .typeSymbolicLink?:
                entries[key] = "link -> " + (try manager.destinationOfSymbolicLink(atPath: full))
            case .typeDirectory?:
                entries[key] = "dir"
                try walk(full, relative: key, into: &entries)
            default:
                let data = try Data(contentsOf: URL(fileURLWithPath: full))
                entries[key] = "file " + SHA256.hexDigest(data)
            }
        }
    }

    /// The entries of `after` that are new or differ from `before`, and those gone.
    static func changes(from before: [String: String], to after: [String: String]) -> (added: [String], changed: [String], removed: [String]) {
        let added = after.keys.filter { before[$0] == nil }.sorted()
        let changed = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
        let removed = before.keys.filter { after[$0] == nil }.sorted()
        return (added, changed, removed)
    }
}
