import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// When the progress line is drawn.
enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
    /// When standard error is a terminal.
    case auto
    case always
    case never
}

struct ReportingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Show a progress line on standard error: auto (when it is a terminal), always or never.",
        valueName: "when"))
    var progress: ProgressMode = .auto

    @Flag(name: [.customShort("q"), .long], help: "No progress line and no summary at the end; only errors and warnings on standard error.")
    var quiet = false

    @Option(help: ArgumentHelp(
        "Also write the run summary (counts by outcome, bytes, latency percentiles, slowest host) to this file as JSON.",
        valueName: "file"))
    var statsJSON: String?

    /// Whether to draw the progress line.
    var showsProgress: Bool {
        switch progress {
        case .never: false
        case .always: !quiet
        case .auto: !quiet && isatty(STDERR_FILENO) == 1
        }
    }
}
