// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "relais",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "relais", targets: ["relais"]),
        .library(name: "RelaisCore", targets: ["RelaisCore"]),
        .library(name: "RelaisMap", targets: ["RelaisMap"]),
        .library(name: "RelaisStore", targets: ["RelaisStore"]),
        .library(name: "RelaisMining", targets: ["RelaisMining"]),
        .library(name: "RelaisIntegrations", targets: ["RelaisIntegrations"]),
        .library(name: "RelaisProcess", targets: ["RelaisProcess"]),
        .library(name: "RelaisServer", targets: ["RelaisServer"]),
        .library(name: "RelaisMarkdown", targets: ["RelaisMarkdown"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        .target(name: "RelaisCore"),
        .target(
            name: "RelaisMap",
            dependencies: ["RelaisCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "RelaisStore",
            dependencies: [
                "RelaisCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "RelaisMining",
            dependencies: ["RelaisCore"],
            // The readers touch their tables once per field of a log of millions of events; the
            // run-time exclusivity checks on them cost a tenth of the time (measured with perf).
            // Each table is owned by one reader at a time, which the compile-time checks still see.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .target(
            name: "RelaisIntegrations",
            dependencies: [
                "RelaisCore", "RelaisStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What the command line and the server both do with logs and files: mining Relais' own
        // history, reading gzip and import files, drawing with Graphviz. The command line's
        // `mine`, `import` and `map draw` need it, not the HTTP server.
        .target(
            name: "RelaisProcess",
            dependencies: [
                "RelaisCore", "RelaisStore", "RelaisMining",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(name: "RelaisAPIDocument", resources: [.copy("Resources/openapi.yaml")]),
        // Article bodies from Markdown to HTML safe in any page: its own target, so its fuzzer
        // builds without the server.
        .target(name: "RelaisMarkdown", dependencies: ["RelaisCore", .product(name: "Ink", package: "Ink")]),
        .target(
            name: "RelaisServer",
            dependencies: [
                "RelaisCore", "RelaisMap", "RelaisStore", "RelaisMining", "RelaisIntegrations", "RelaisProcess", "RelaisAPIDocument",
                "RelaisMarkdown",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            resources: [.copy("Resources")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .executableTarget(
            name: "relais",
            dependencies: [
                "RelaisCore", "RelaisMap", "RelaisStore", "RelaisMining", "RelaisIntegrations", "RelaisProcess", "RelaisServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RelaisTestSupport",
            dependencies: [
                "RelaisCore", "RelaisStore", "RelaisMap",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RelaisTestSupport"
        ),
        .testTarget(name: "RelaisCoreTests", dependencies: ["RelaisCore"]),
        .testTarget(
            name: "RelaisMapTests",
            dependencies: ["RelaisCore", "RelaisMap"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "RelaisMiningTests",
            dependencies: ["RelaisCore", "RelaisMining"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "RelaisStoreTests",
            dependencies: [
                "RelaisCore", "RelaisStore", "RelaisMap", "RelaisIntegrations", "RelaisTestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
            ]
        ),
        .testTarget(
            name: "RelaisIntegrationsTests",
            dependencies: [
                "RelaisCore", "RelaisStore", "RelaisIntegrations", "RelaisTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RelaisServerTests",
            dependencies: [
                "RelaisCore", "RelaisStore", "RelaisMining", "RelaisIntegrations", "RelaisAPIDocument",
                "RelaisServer", "RelaisProcess", "RelaisMarkdown", "RelaisTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
