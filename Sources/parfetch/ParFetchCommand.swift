import ArgumentParser
import ParFetch

#if canImport(Glibc)
import Glibc
#endif

/// `parfetch [options] [FILE]`: translates flags into `CrawlOptions`, runs the crawl and maps
/// the outcome to an exit status. Everything else lives in the ParFetch library.
@main
struct ParFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parfetch",
        abstract: "Fetch a list of URLs concurrently and write one JSON line per URL.",
        discussion: """
            FILE holds one URL per line (http or https); blank lines and lines starting with # \
            are skipped. Without FILE, or with -, the list is read from standard input. Every \
            other line yields exactly one record on standard output (or --output), whatever \
            happens to it (an interrupted run leaves the lines it never started without one: \
            --resume finishes them); messages go to standard error.

            Exit status: 0 when every line has its record (whatever the outcomes), 2 for bad \
            usage or an unreadable list, 130 when interrupted, 1 for any other failure (e.g. \
            output not writable).
            """,
        version: ParFetchVersion.string
    )

    @Argument(help: ArgumentHelp("The URL list; - for standard input.", valueName: "FILE"))
    var file: String = "-"

    @OptionGroup(title: "Input")
    var input: InputOptions

    @OptionGroup(title: "Concurrency and pacing")
    var concurrency: ConcurrencyOptions

    @OptionGroup(title: "Concurrency and pacing")
    var politeness: PolitenessOptions

    @OptionGroup(title: "Requests")
    var requests: RequestOptions

    @OptionGroup(title: "Parsing")
    var parsing: ParsingOptions

    @OptionGroup(title: "Output")
    var output: OutputOptions

    @OptionGroup(title: "Output")
    var reporting: ReportingOptions

    func validate() throws {
        try output.validate(ruleNames: parsing.rules().map(\.name), resuming: input.resuming)
        if file == "-" && isatty(STDIN_FILENO) == 1 {
            throw ValidationError("no URL list: give a FILE, or pipe URLs to standard input")
        }
    }

    func run() throws {
        let started = ContinuousClock.now
        // A closed pipe must be an error we can handle, not a signal that kills the process.
        signal(SIGPIPE, SIG_IGN)
        let openFiles = Terminal.raiseOpenFileLimit()
        let stop = CrawlStop()
        stop.requestOnInterrupt()

        let list: ListReader
        do {
            list = try ListReader(path: file)
        } catch {
            Terminal.fail("\(error)", status: 2)
        }
        // Opened before the run, so that a path that can't be written fails at once.
        let statsFile = reporting.statsJSON.map { path in
            guard let file = fopen(path, "w") else {
                Terminal.fail("cannot open \(path): \(String(cString: strerror(errno)))", status: 1)
            }
            return file
        }
        let bodyStore = output.openBodyStore()
        var completed = CompletedLines()
        let format = try output.recordFormat(ruleNames: parsing.rules().map(\.name), dedupe: input.dedupe)
        let writer: RecordWriter
        if let path = output.output, path != "-" {
            var listInfo = stat()
            var outputInfo = stat()
            if file != "-", stat(file, &listInfo) == 0, stat(path, &outputInfo) == 0,
               listInfo.st_dev == outputInfo.st_dev, listInfo.st_ino == outputInfo.st_ino {
                Terminal.fail("\(path) is the URL list itself: records would overwrite it", status: 2)
            }
            let resuming = input.resuming
            do {
                if resuming, stat(path, &outputInfo) == 0, (outputInfo.st_mode & S_IFMT) != S_IFREG {
                    Terminal.fail("cannot resume from \(path): not a regular file", status: 1)
                }
                // The writer locks the file first: nothing reads or cuts it while another run writes.
                writer = try RecordWriter(path: path, append: resuming, format: format)
                if resuming {
                    completed = try CompletedLines.load(path: path, retryErrors: input.resumeFailed)
                    Terminal.warn("resuming \(path): \(completed.count) lines done"
                        + (completed.droppedBytes > 0 ? "; dropped a record cut short (\(completed.droppedBytes) bytes)" : ""))
                }
            } catch {
                Terminal.fail("\(error)", status: 1)
            }
        } else {
            writer = RecordWriter(fileDescriptor: STDOUT_FILENO, format: format)
        }

        var options = CrawlOptions()
        options.concurrency = concurrency.concurrency
        // Each transfer holds a socket, and as many idle connections are kept for reuse; a
        // few dozen descriptors go to the list, the output, the loop and libraries.
        // DNS lookups and a second connect attempt (happy eyeballs) take descriptors too.
        let affordable = max(1, (openFiles - 64) / 3)
        if options.concurrency > affordable {
            Terminal.warn("-j \(options.concurrency) needs more open files than the limit of \(openFiles) allows; using -j \(affordable)")
            options.concurrency = affordable
        }
        options.ordered = output.ordered
        options.bodyStore = bodyStore
        options.grace = concurrency.grace
        options.dedupe = input.dedupe
        options.completed = completed
        politeness.apply(to: &options.scheduling)
        requests.apply(to: &options.fetch)
        try parsing.apply(to: &options)
        let monitor = CrawlMonitor()
        let progress = reporting.showsProgress
            ? ProgressLine(writer: writer, monitor: monitor, listPath: file, color: Terminal.allowsColor)
            : nil
        progress?.start()
        var readError: ListReaderError?
        var outcome = CrawlOutcome.completed
        do {
            outcome = try Crawl.run(list: list, writer: writer, options: options, stop: stop, monitor: monitor)
        } catch let error as ListReaderError {
            readError = error
        } catch {
            progress?.stop()
            writer.close()
            Terminal.fail("\(error)", status: 1)
        }
        progress?.stop()
        let outputFailure = writer.close()
        let elapsed = (ContinuousClock.now - started).components
        let wallSeconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        var statsFailure: String?
        if let statsFile {
            var json = writer.withSummary { $0.json(wallSeconds: wallSeconds, interrupted: outcome == .stopped) }
            if json.withUnsafeMutableBytes({ fwrite($0.baseAddress, 1, $0.count, statsFile) }) != json.count
                || fclose(statsFile) != 0 {
                statsFailure = String(cString: strerror(errno))
            }
        }
        // A reader that went away (`parfetch … | head`) wants neither a message nor a summary.
        let readerGone = outputFailure?.isBrokenPipe == true
        if !reporting.quiet && !readerGone {
            Terminal.print(writer.withSummary { SummaryText.render($0, wallSeconds: wallSeconds) })
        }
        if let statsFailure, let path = reporting.statsJSON {
            Terminal.warn("cannot write \(path): \(statsFailure)")
        }
        if let outputFailure {
            if !readerGone {
                Terminal.warn("cannot write output: \(outputFailure)")
            }
            Terminal.exit(1)
        }
        if let readError {
            Terminal.fail("\(readError)", status: 2)
        }
        if statsFailure != nil && outcome == .completed {
            Terminal.exit(1)
        }
        if outcome == .stopped {
            Terminal.warn("interrupted: \(writer.count) records written; lines never started have none"
                + (output.output.map { $0 == "-" ? "" : " (--resume -o \($0) finishes them)" } ?? ""))
            Terminal.exit(130)
        }
    }

    /// Parses and runs, with the exit statuses of the documented contract: usage errors
    /// exit 2 (ArgumentParser's default is 64).
    static func main() {
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) == .validationFailure {
                Terminal.fail(message(for: error) + "\n" + "Usage: \(usageString())\nSee 'parfetch --help'.", status: 2)
            }
            exit(withError: error)
        }
        do {
            var command = command
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
