import Foundation
import Testing
@testable import ParFetch

#if canImport(Glibc)
import Glibc
#endif

/// The store's file system behaviour: where bytes land, atomic replacement, and what it refuses.
@Suite("Body store: files")
struct BodyStoreTests {
    let url = "http://example.com/a"

    @Test func writesTheBytesUnderTheHostAndLeavesNoTemporaryFile() throws {
        let scratch = try ScratchDirectory()
        let store = try BodyStore(directory: scratch.sub("out"))
        let body = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let saved = try store.save(body, url: url, host: "example.com", contentType: "image/png")
        #expect(saved == "example.com/" + BodyStore.fileName(url: url, contentType: "image/png"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.sub("out/" + saved))) == Data(body))
        // Nothing else: no probe, no temporary file.
        #expect(try DirectoryTree.snapshot(scratch.sub("out")).keys.sorted() == ["example.com", saved])
    }

    @Test func aLaterSaveReplacesTheFile() throws {
        let scratch = try ScratchDirectory()
        let store = try BodyStore(directory: scratch.path)
        let first = try store.save(Array("first, longer".utf8), url: url, host: "example.com", contentType: "text/plain")
        let second = try store.save(Array("second".utf8), url: url, host: "example.com", contentType: "text/plain")
        #expect(first == second)
        #expect(try String(contentsOfFile: scratch.sub(second), encoding: .utf8) == "second")
        // A new store (a later run) replaces it too.
        let again = try BodyStore(directory: scratch.path)
        _ = try again.save([], url: url, host: "example.com", contentType: "text/plain")
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.sub(second))).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.sub("example.com")) == [(second as NSString).lastPathComponent])
    }

    @Test func concurrentSavesOfOneURLLeaveOneWholeFile() async throws {
        let scratch = try ScratchDirectory()
        let store = try BodyStore(directory: scratch.path)
        let bodies = (0..<8).map { [UInt8](repeating: UInt8(65 + $0), count: 200_000) }
        let url = self.url
        try await withThrowingTaskGroup(of: String.self) { group in
            for body in bodies {
                group.addTask { try store.save(body, url: url, host: "example.com", contentType: nil) }
            }
            for try await _ in group {}
        }
        let saved = try Data(contentsOf: URL(fileURLWithPath: scratch.sub("example.com/" + BodyStore.fileName(url: url, contentType: nil))))
        #expect(bodies.contains { Data($0) == saved })
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.sub("example.com")).count == 1)
    }

    @Test func aSymlinkedHostDirectoryIsRefusedNotFollowed() throws {
        let scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: scratch.sub("outside"), withIntermediateDirectories: false)
        let store = try BodyStore(directory: scratch.sub("out"))
        try FileManager.default.createSymbolicLink(atPath: scratch.sub("out/evil.example"), withDestinationPath: scratch.sub("outside"))
        let before = try DirectoryTree.snapshot(scratch.path)
        #expect(throws: BodyStoreError.self) {
            try store.save(Array("x".utf8), url: url, host: "evil.example", contentType: nil)
        }
        #expect(try DirectoryTree.snapshot(scratch.path) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.sub("outside")).isEmpty)
    }

    /// Links to a directory that does not exist yet (mkdir must not create it through the
    /// link), to the store's parent, and to the root.
    @Test(arguments: ["not-yet", "..", "/"])
    func otherPlantedHostLinksAreRefused(target: String) throws {
        let scratch = try ScratchDirectory()
        let store = try BodyStore(directory: scratch.sub("out"))
        let destination = target == "not-yet" ? scratch.sub("not-yet") : target
        try FileManager.default.createSymbolicLink(atPath: scratch.sub("out/planted.example"), withDestinationPath: destination)
        let before = try DirectoryTree.snapshot(scratch.path)
        #expect(throws: BodyStoreError.self) {
            try store.save(Array("x".utf8), url: url, host: "planted.example", contentType: nil)
        }
        #expect(try DirectoryTree.snapshot(scratch.path) == before)
        #expect(!FileManager.default.fileExists(atPath: scratch.sub("not-yet")))
    }

    @Test func aSymlinkAtTheFileNameIsReplacedNotWrittenThrough() throws {
        let scratch = try ScratchDirectory()
        try "precious".write(toFile: scratch.sub("precious.txt"), atomically: false, encoding: .utf8)
        let store = try BodyStore(directory: scratch.sub("out"))
        let name = BodyStore.fileName(url: url, contentType: "text/plain")
        try FileManager.default.createDirectory(atPath: scratch.sub("out/example.com"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: scratch.sub("out/example.com/" + name), withDestinationPath: scratch.sub("precious.txt"))
        _ = try store.save(Array("body".utf8), url: url, host: "example.com", contentType: "text/plain")
        #expect(try String(contentsOfFile: scratch.sub("precious.txt"), encoding: .utf8) == "precious")
        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.sub("out/example.com/" + name))
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
    }

    @Test(arguments: ["", ".", "..", "../outside", "a/b", "/tmp", "a\0b", "a\nb", String(repeating: "h", count: 256)])
    func hostileHostNamesWriteNothing(host: String) throws {
        let scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: scratch.sub("outside"), withIntermediateDirectories: false)
        let store = try BodyStore(directory: scratch.sub("out"))
        let before = try DirectoryTree.snapshot(scratch.path)
        do {
            _ = try store.save(Array("x".utf8), url: url, host: host, contentType: nil)
            Issue.record("saved under host \(host.debugDescription)")
        } catch {
            #expect(error.isInvalidHost)
            #expect(!error.description.contains("\n"))
        }
        #expect(try DirectoryTree.snapshot(scratch.path) == before)
    }

    @Test func aFailedRenameLeavesNoTemporaryFile() throws {
        let scratch = try ScratchDirectory()
        let store = try BodyStore(directory: scratch.path)
        let name = BodyStore.fileName(url: url, contentType: nil)
        // A directory where the file should go: rename(2) can't replace it.
        try FileManager.default.createDirectory(atPath: scratch.sub("example.com/" + name), withIntermediateDirectories: true)
        #expect(throws: BodyStoreError.self) {
            try store.save(Array("x".utf8), url: url, host: "example.com", contentType: nil)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.sub("example.com")) == [name])
    }

    @Test func createsMissingParents() throws {
        let scratch = try ScratchDirectory()
        _ = try BodyStore(directory: scratch.sub("a/b/c/"))
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: scratch.sub("a/b/c"), isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.sub("a/b/c")).isEmpty)
    }

    @Test func unusableDirectoriesFailAtOpen() throws {
        let scratch = try ScratchDirectory()
        try "x".write(toFile: scratch.sub("file"), atomically: false, encoding: .utf8)
        #expect(throws: BodyStoreError.self) { try BodyStore(directory: scratch.sub("file")) }
        #expect(throws: BodyStoreError.self) { try BodyStore(directory: scratch.sub("file/below")) }
        // Read-only even for root.
        #expect(throws: BodyStoreError.self) { try BodyStore(directory: "/proc/self") }
        #expect(throws: BodyStoreError.self) { try BodyStore(directory: "/proc/parfetch-no-such-dir") }
        do {
            _ = try BodyStore(directory: "/proc/self")
        } catch {
            #expect(error.description.hasPrefix("cannot write in directory /proc/self: "))
        }
    }
}
