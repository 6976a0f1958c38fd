extension FixtureServer {
    /// The repository's fixtures/pages directory, found from #filePath of this source file (for
    /// tests and the executable's default).
    ///
    /// This file is `<repo>/Sources/FixtureServer/PagesDirectory.swift`, so the repository is
    /// three path components up. The path is the one the code was compiled from.
    public static var defaultPagesDirectory: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        return (components + ["fixtures", "pages"]).joined(separator: "/")
    }
}
