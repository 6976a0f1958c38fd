import ArgumentParser
import ParFetch

#if canImport(Glibc)
import Glibc
#endif

/// `parfetch merge [-o FILE] FILE...`: the shards' outputs merged into one stream in line
/// order (`RecordMerge` does it).
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parfetch merge",
        abstract: "Merge the outputs of a list's shards (--shard i/N --ordered) into one, in line order.",
        discussion: """
            Each FILE is the JSON Lines output of one shard, written with --ordered (and maybe \
            resumed with --resume). The merged output has one record per line of the list, in \
            line order: of a line with several records, the last that is not interrupted. A \
            FILE with a line that is not a parfetch record (with its line number first) is \
            refused before anything is written. Memory does not grow with the files.

            Exit status: 0 when merged, 2 for bad usage or a FILE that can't be read or is not \
            parfetch output, 1 when the output can't be written.
            """
    )

    @Argument(help: ArgumentHelp("The shards' outputs.", valueName: "FILE"))
    var files: [String] = []

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp(
        "Write the merged records to this file instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("no FILE to merge: give the shards' outputs") }
        guard let output, output != "-" else { return }
        var outputInfo = stat()
        var inputInfo = stat()
        for file in files where stat(output, &outputInfo) == 0 && stat(file, &inputInfo) == 0
            && outputInfo.st_dev == inputInfo.st_dev && outputInfo.st_ino == inputInfo.st_ino {
            throw ValidationError("\(output) is one of the files to merge: it would be overwritten")
        }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        var fd = STDOUT_FILENO
        if let output, output != "-" {
            fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { Terminal.fail("cannot open \(output): \(String(cString: strerror(errno)))", status: 1) }
        }
        let outcome: RecordMerge.Outcome
        do {
            outcome = try RecordMerge.merge(paths: files, into: fd)
        } catch where error.isBrokenPipe {
            // A reader that went away (`| head`) is not a failure.
            Terminal.exit(0)
        } catch where error.path == nil {
            Terminal.fail("\(error)", status: 1)
        } catch {
            if let output, output != "-" { unlink(output) }
            Terminal.fail("\(error)", status: 2)
        }
        if fd != STDOUT_FILENO && close(fd) != 0 {
            Terminal.fail("cannot write \(output ?? ""): \(String(cString: strerror(errno)))", status: 1)
        }
        for file in outcome.tornFiles {
            Terminal.warn("\(file): its last record was cut short (a crash?) and is left out")
        }
    }

    /// Parses `arguments` (what follows `merge`) and runs, with the command's exit statuses.
    static func main(arguments: [String]) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                Terminal.fail(message(for: error) + "\n" + "Usage: \(usageString())\nSee 'parfetch merge --help'.", status: 2)
            }
            exit(withError: error)
        }
        Terminal.exit(0)
    }
}
