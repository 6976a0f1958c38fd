import ArgumentParser
import ParFetch

struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp(
        "Write records to this file instead of standard output (created or truncated; see --resume).",
        valueName: "file"))
    var output: String?

    @Flag(help: "Write records in input order instead of as URLs finish (a slow URL holds back at most 4 × -j others).")
    var ordered = false

    @Flag(help: ArgumentHelp(
        "Finish an earlier run: skip the lines that already have a final record in the --output file and append the others' records (an interrupted record is not final)."))
    var resume = false

    @Flag(help: "As --resume, and also retry the lines whose record has an error.")
    var resumeFailed = false

    @Option(name: .customLong("save-dir"), help: ArgumentHelp(
        "Save the body of each 2xx response as DIR/HOST/HASH.EXT, atomically (HASH: 16 hex digits of the SHA-256 of the URL as given; EXT from the Content-Type, bin if unknown); the record's saved key gives the path relative to DIR. DIR is created if missing.",
        valueName: "dir"))
    var saveDirectory: String?

    func validate() throws {
        if (resume || resumeFailed) && (output == nil || output == "-") {
            throw ValidationError("--resume and --resume-failed need --output FILE: the records to resume from")
        }
        if saveDirectory?.isEmpty == true {
            throw ValidationError("--save-dir needs a directory")
        }
    }

    /// The store for --save-dir, opened before anything is fetched or the output file touched;
    /// a directory that can't be created or written ends the run (exit 1).
    func openBodyStore() -> BodyStore? {
        guard let saveDirectory else { return nil }
        do {
            return try BodyStore(directory: saveDirectory)
        } catch {
            Terminal.fail("--save-dir: \(error)", status: 1)
        }
    }
}
