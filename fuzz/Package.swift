// swift-tools-version: 6.0
// libFuzzer targets over ParFetch's parsers of untrusted input (see README.md). A package of
// its own so that the main package, `make test` and CI never build with the fuzzer runtime.
import PackageDescription

let fuzzTargets = ["fuzz-list-line", "fuzz-css-selector", "fuzz-page", "fuzz-robots", "fuzz-resume", "fuzz-sitemap", "fuzz-frontier", "fuzz-json-line", "fuzz-warc-tail"]

let package = Package(
    name: "parfetch-fuzz",
    products: fuzzTargets.map { .executable(name: $0, targets: [$0]) },
    dependencies: [.package(name: "parfetch", path: "..")],
    targets: [
        // What the targets share: reporting a broken invariant so libFuzzer keeps the input.
        .target(name: "FuzzSupport"),
    ] + fuzzTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "ParFetch", package: "parfetch")],
            // libFuzzer provides main(); the target's file only defines LLVMFuzzerTestOneInput.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
