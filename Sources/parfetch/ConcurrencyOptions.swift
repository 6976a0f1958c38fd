import ArgumentParser

// Numbers are parsed unconditionally: ArgumentParser would read `-j -5` as -j without a
// value, where the value's check says what it must be.

struct ConcurrencyOptions: ParsableArguments {
    @Option(name: [.customShort("j"), .long], parsing: .unconditional, help: ArgumentHelp("Transfers in flight at most.", valueName: "n"))
    var concurrency: Int = 50

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "On Ctrl-C or SIGTERM, seconds the transfers in flight may take to finish before they are cut short (a second signal cuts them at once).",
        valueName: "seconds"))
    var grace: Double = 5

    func validate() throws {
        guard (1...100_000).contains(concurrency) else {
            throw ValidationError.outOfRange("--concurrency", mustBe: "from 1 to 100000", got: concurrency)
        }
        guard grace >= 0, grace <= 86_400 else {
            throw ValidationError.outOfRange("--grace", mustBe: "from 0 to 86400 seconds", got: grace)
        }
    }
}
