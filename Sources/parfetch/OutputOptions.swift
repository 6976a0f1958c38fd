import ArgumentParser

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

    func validate() throws {
        if (resume || resumeFailed) && (output == nil || output == "-") {
            throw ValidationError("--resume and --resume-failed need --output FILE: the records to resume from")
        }
    }
}
