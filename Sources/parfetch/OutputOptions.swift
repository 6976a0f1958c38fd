import ArgumentParser

struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp(
        "Write records to this file instead of standard output (created or truncated).", valueName: "file"))
    var output: String?
}
