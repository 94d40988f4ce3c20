// swift-tools-version: 6.1
// libFuzzer targets for the parsers of outside formats. Built apart from the project, with the
// fuzzer and AddressSanitizer (`scripts/fuzz` does it):
//   swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address
// Each target's `main` hands one function to libFuzzer's driver (`LLVMFuzzerRunDriver`).
import PackageDescription

let targets: [(name: String, product: String)] = [
    ("MIME", "RelaisCore"), ("XES", "RelaisMining"), ("CSV", "RelaisMining"), ("OCEL", "RelaisMining"),
    ("Map", "RelaisMap"), ("ICalendar", "RelaisMap"), ("Markdown", "RelaisMarkdown"),
]

let package = Package(
    name: "relais-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "relais", path: "..")],
    targets: [
        .target(name: "CFuzzer", path: "Targets/CFuzzer"),
        .target(name: "FuzzDriver", dependencies: ["CFuzzer"], path: "Targets/FuzzDriver"),
    ]
        + targets.map { target in
            .executableTarget(
                name: "Fuzz\(target.name)",
                dependencies: ["FuzzDriver", .product(name: target.product, package: "relais")],
                path: "Targets/\(target.name)"
            )
        }
)
