import ArgumentParser

/// `--format`'s choices.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl
    case csv
}
