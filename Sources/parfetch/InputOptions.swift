import ArgumentParser
import ParFetch

struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "How list files are read: lines (a URL a line), jsonl (a JSON object a line: url, method, headers, body or json, meta), or auto (jsonl when a file's first line starts with {).",
        valueName: "format"))
    var inputFormat: InputFormat = .auto

    @Option(help: ArgumentHelp(
        "An earlier run's JSON Lines output: each URL it recorded an etag or last_modified for is fetched with If-None-Match / If-Modified-Since; a 304 gets \"not_modified\": true.",
        valueName: "file"))
    var since: String?

    @Flag(help: "Fetch each distinct URL once; later lines with it get a record with \"duplicate_of\": the first line.")
    var dedupe = false

    @Flag(help: ArgumentHelp(
        "Finish an earlier run: skip the lines that already have a final record in the --output file and append the others' records (an interrupted record is not final). JSON Lines only."))
    var resume = false

    @Flag(help: "As --resume, and also retry the lines whose record has an error.")
    var resumeFailed = false

    // Unconditional: "-1/3" is a value to refuse with a clear message, not an unknown flag.
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Take only shard i of N (from 0, as job arrays number their tasks): the lines whose host (see --shard-by) hashes to i. The other lines get no record here; the N runs together give every line one.",
        valueName: "i/N"))
    var shard: String?

    @Option(help: "What a line's shard is a hash of: its host and port, or its registrable domain (Public Suffix List).")
    var shardBy: Shard.Key = .host

    /// Whether the run continues an earlier one's output.
    var resuming: Bool { resume || resumeFailed }

    /// `--shard` and `--shard-by`; nil when the list is not split.
    func parsedShard() throws -> Shard? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]),
              let value = Shard(index: index, count: count, key: shardBy)
        else {
            throw ValidationError("--shard must be i/N with N at least 1 and i from 0 to N-1, e.g. 0/4 (got \(shard))")
        }
        return value
    }

    func validate() throws {
        _ = try parsedShard()
    }
}

extension Shard.Key: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}
