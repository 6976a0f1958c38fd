import ArgumentParser

struct ConcurrencyOptions: ParsableArguments {
    @Option(name: [.customShort("j"), .long], help: "Transfers in flight at most.")
    var concurrency: Int = 50

    func validate() throws {
        guard (1...100_000).contains(concurrency) else {
            throw ValidationError("--concurrency must be from 1 to 100000 (got \(concurrency))")
        }
    }
}
