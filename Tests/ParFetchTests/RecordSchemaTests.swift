import Foundation
import Testing
@testable import ParFetch

/// The record table itself: what everything else is derived from.
@Suite("Record schema")
struct RecordSchemaTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../README.md").standardizedFileURL

    /// The keys of README's record table (`## The record`), in its order.
    static func readmeKeys() throws -> [String] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try #require(text.components(separatedBy: "\n## The record\n").dropFirst().first)
            .components(separatedBy: "\n## ")[0]
        return section.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).prefix { $0 != "`" }.description
        }
    }

    @Test func readmeTableHasEveryKeyOfTheRecordInOrder() throws {
        // A group (`time`, `error`) is one row, as it is one key of the record.
        var keys: [String] = []
        for key in RecordSchema.keys where key.inRecord {
            let name = key.group ?? key.name
            if keys.last != name { keys.append(name) }
        }
        #expect(keys.count == 30)
        #expect(try Self.readmeKeys() == keys)
    }

    @Test func namesAreUniqueAndGroupsStandTogether() {
        let names = RecordSchema.fields.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(RecordSchema.keys.count <= 64)
        for group in ["time", "error", "warc"] {
            let members = RecordSchema.members(of: group)
            #expect(members.count > 1)
            #expect(members == Array(members[0]...members[members.count - 1]))
            #expect(names.firstIndex(of: group)! + 1 == names.firstIndex(of: RecordSchema.keys[members[0]].name))
        }
        #expect(RecordSchema.keys.filter(\.perRule).map(\.name) == ["extract"])
    }

    @Test func theCatalogueAndTheFullRecordFollowTheTable() {
        let catalogue = RecordField.catalogue(ruleNames: [])
        for key in RecordSchema.keys where !key.perRule {
            #expect(catalogue.contains(key.name), "\(key.name)")
        }
        let full = JSONSelection.record.keys
        for (index, key) in RecordSchema.keys.enumerated() {
            #expect((full & 1 << index != 0) == key.inRecord, "\(key.name)")
        }
        #expect(RecordSchema.keys.filter { !$0.inRecord }.map(\.name) == ["links_count"])
    }

    @Test func resumeNeedsTheKeysMarkedInTheTable() {
        #expect(CompletedLines.requiredFields.map(\.name) == ["line", "url", "error.kind"])
        #expect(CompletedLines.requiredFields == RecordSchema.keys.indices
            .filter { RecordSchema.keys[$0].resume }.map(RecordField.key))
    }
}
