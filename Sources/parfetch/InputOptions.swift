import ArgumentParser

struct InputOptions: ParsableArguments {
    @Flag(help: "Fetch each distinct URL once; later lines with it get a record with \"duplicate_of\": the first line.")
    var dedupe = false

    @Flag(help: ArgumentHelp(
        "Finish an earlier run: skip the lines that already have a final record in the --output file and append the others' records (an interrupted record is not final). JSON Lines only."))
    var resume = false

    @Flag(help: "As --resume, and also retry the lines whose record has an error.")
    var resumeFailed = false

    /// Whether the run continues an earlier one's output.
    var resuming: Bool { resume || resumeFailed }
}
