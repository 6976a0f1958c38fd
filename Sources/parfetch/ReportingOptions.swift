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

    @Flag(name: [.customShort("v"), .long], help: ArgumentHelp(
        "Write libcurl's trace of the first \(ReportingOptions.tracedTransfers) transfers to standard error, as curl -v shows it, each line prefixed with the transfer's number ([1] > GET / HTTP/1.1); Authorization values shown as ***."))
    var verbose = false

    /// How many transfers -v traces: enough to see a run's requests and answers, few enough
    /// that a long list does not drown standard error.
    static let tracedTransfers = 10

    @Option(help: ArgumentHelp(
        "Response headers to put in each record's \"headers\" object, comma-separated (case does not matter): e.g. server,cache-control.",
        valueName: "names"))
    var headerFields: String?

    @Flag(help: "Exit with status 22 once the run is complete if any record has an error or an HTTP status of 400 or more.")
    var failExit = false

    /// --header-fields' names, lower-case, each once.
    var headerNames: [String] {
        var names: [String] = []
        for name in (headerFields ?? "").split(separator: ",") {
            let lowered = name.trimmingSpaces.lowercased()
            if !lowered.isEmpty && !names.contains(lowered) { names.append(lowered) }
        }
        return names
    }

    func validate() throws {
        guard let headerFields else { return }
        let names = headerFields.split(separator: ",", omittingEmptySubsequences: false).map(\.trimmingSpaces)
        for name in names where name.isEmpty || !name.utf8.allSatisfy(MethodOptions.isTokenByte) {
            throw ValidationError("--header-fields: '\(name)' is not a header name (give names separated by commas)")
        }
    }

    /// Whether to draw the progress line.
    var showsProgress: Bool {
        switch progress {
        case .never: false
        case .always: !quiet
        case .auto: !quiet && isatty(STDERR_FILENO) == 1
        }
    }
}

extension Substring {
    /// Without the spaces around it.
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
