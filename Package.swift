// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "parfetch",
    products: [
        .library(name: "ParFetch", targets: ["ParFetch"]),
        .executable(name: "parfetch", targets: ["parfetch"]),
        .executable(name: "fixture-server", targets: ["fixture-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // libcurl as the system provides it (headers, link flags via pkg-config).
        .systemLibrary(
            name: "CLibCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Typed wrappers over libcurl's variadic functions, which Swift cannot call.
        .target(name: "CCurl", dependencies: ["CLibCurl"]),
        // libxml2's HTML parser and XPath engine, for user selectors.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // libidn2, which libcurl links for IDN host names: the list's hosts are converted
        // from UTF-8 where they are checked, whatever the process's locale.
        .systemLibrary(
            name: "CIDN2",
            pkgConfig: "libidn2",
            providers: [.apt(["libidn2-dev"])]
        ),
        // libpsl, the Public Suffix List (libcurl links it too): registrable domains for
        // `--shard-by domain`.
        .systemLibrary(
            name: "CLibPSL",
            pkgConfig: "libpsl",
            providers: [.apt(["libpsl-dev"])]
        ),
        // Linux headers the Glibc module lacks (epoll, eventfd); headers only, no code.
        .systemLibrary(name: "CLinux"),
        // zlib: the sitemap reader inflates gzip sitemaps, WARC output is gzipped a record a
        // member; the fixture server's gzip routes.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // OpenSSL's libcrypto (libcurl is built on it): SHA-1 for WARC digests, SHA-256 for
        // saved bodies' names.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "ParFetch",
            dependencies: [
                "CCurl", "CLibCurl", "CLibXML2", "CLinux", "CIDN2", "CLibPSL", "CZlib", "CLibCrypto",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "parfetch",
            dependencies: [
                "ParFetch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "FixtureServer",
            dependencies: [
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "fixture-server", dependencies: ["FixtureServer"]),
        // Single-thread throughput of the page scanner (bench/README.md).
        .executableTarget(name: "parse-bench", dependencies: ["ParFetch"], path: "bench/parse-bench"),
        // 200,000 mixed URLs through the library: one record each, memory and descriptors flat.
        .executableTarget(name: "soak", dependencies: ["ParFetch"], path: "bench/soak"),
        .testTarget(name: "ParFetchTests", dependencies: ["ParFetch", "FixtureServer", "CZlib"]),
        .testTarget(
            name: "FixtureServerTests",
            dependencies: [
                "FixtureServer",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "parfetchTests",
            dependencies: ["parfetch", "FixtureServer"],
            // Read by path: the help text the tests compare against.
            exclude: ["Snapshots"]
        ),
    ]
)
