import ArgumentParser

struct ConcurrencyOptions: ParsableArguments {
    @Option(name: [.customShort("j"), .long], help: "Transfers in flight at most.")
    var concurrency: Int = 50

    func validate() throws {
        guard concurrency >= 1 else {
            throw ValidationError("--concurrency must be at least 1 (got \(concurrency))")
        }
    }
}
