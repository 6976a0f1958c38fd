import ParFetch

/// A file an option names that could not be opened or written. The message names the option:
/// the path alone does not say what the file was for (`--stats-json: cannot open …`).
struct OptionFileError: Error, CustomStringConvertible {
    var option: String
    var error: OutputError

    var description: String { "\(option): \(error)" }
}
