// swift-tools-version: 6.1
// In-process benchmarks of Relais (ordo-one/benchmark). Run from this folder:
//   swift package --disable-sandbox benchmark
import Foundation
import PackageDescription

// A path dependency is known by the name of its folder, whatever the clone is called.
let relais = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "relais-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
    ],
    targets: [
        .executableTarget(
            name: "RelaisBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RelaisCore", package: relais),
                .product(name: "RelaisMap", package: relais),
                .product(name: "RelaisStore", package: relais),
                .product(name: "RelaisIntegrations", package: relais),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Benchmarks/RelaisBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
