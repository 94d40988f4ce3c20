import Foundation
import Testing

/// The layering of docs/architecture.md, held against Package.swift and every import.
@Suite struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Modules of the toolchain, which no manifest declares.
    static let toolchain: Set<String> = [
        "Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Glibc", "Darwin", "Musl",
        "Synchronization", "Testing", "XCTest", "RegexBuilder", "os", "_Concurrency",
    ]

    struct Target {
        var name: String
        var kind: String
        var path: String?
        var dependencies: Set<String>
        var folder: URL {
            Self.root.appendingPathComponent(path ?? (kind == "testTarget" ? "Tests/\(name)" : "Sources/\(name)"))
        }
        static var root: URL { ArchitectureTests.root }
    }

    /// The targets of Package.swift: `.target(`, `.executableTarget(`, `.testTarget(` with their
    /// name, path, and dependencies (targets by name, products by their module's name).
    static func targets() throws -> [Target] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var targets: [Target] = []
        let start = try Regex(#"\.(target|executableTarget|testTarget)\("#)
        for match in manifest.matches(of: start) {
            // The call's text, up to its closing parenthesis.
            var depth = 0, end = match.range.upperBound
            for index in manifest[match.range.lowerBound...].indices {
                if manifest[index] == "(" { depth += 1 }
                if manifest[index] == ")" {
                    depth -= 1
                    if depth == 0 {
                        end = index
                        break
                    }
                }
            }
            let call = String(manifest[match.range.upperBound..<end])
            let kind = String(manifest[match.range].dropFirst().dropLast())
            guard let name = call.firstMatch(of: #/name: "([^"]+)"/#)?.output.1 else { continue }
            var dependencies: Set<String> = []
            if let list = call.firstMatch(of: #/dependencies: \[((?:[^\[\]]|\[[^\]]*\])*)\]/#)?.output.1 {
                let products = list.matches(of: #/\.product\(name: "([^"]+)"/#).map { String($0.output.1) }
                let withoutProducts = list.replacing(#/\.product\([^)]*\)/#, with: "")
                let bare = withoutProducts.matches(of: #/"([^"]+)"/#).map { String($0.output.1) }
                dependencies = Set(products + bare)
            }
            let path = call.firstMatch(of: #/path: "([^"]+)"/#).map { String($0.output.1) }
            targets.append(Target(name: String(name), kind: kind, path: path, dependencies: dependencies))
        }
        return targets
    }

    /// Every module the Swift files under `folder` import.
    static func imports(in folder: URL) throws -> [String: Set<String>] {
        var found: [String: Set<String>] = [:]
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        let line = #/^\s*(?:@testable\s+|@_exported\s+|public\s+|package\s+|internal\s+)*import\s+([A-Za-z_][A-Za-z0-9_]*)/#.anchorsMatchLineEndings()
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift", !file.path.contains("/Fixtures/") else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: line) {
                found[String(match.output.1), default: []].insert(file.lastPathComponent)
            }
        }
        return found
    }

    /// The table of docs/architecture.md: each target and the Relais targets it may import.
    static func allowed() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var table: [String: Set<String>] = [:]
        for match in text.matches(of: #/^\| `([A-Za-z]+)` \| ([^|]*) \|/#.anchorsMatchLineEndings()) {
            table[String(match.output.1)] = Set(match.output.2.matches(of: #/`([A-Za-z]+)`/#).map { String($0.output.1) })
        }
        return table
    }

    @Test func everyTargetImportsOnlyWhatItsLayerAllows() throws {
        let targets = try Self.targets()
        let allowed = try Self.allowed()
        let ours = Set(targets.map(\.name))
        #expect(targets.count >= 15, "the manifest was read: \(targets.map(\.name))")
        for target in targets where target.kind != "testTarget" {
            let permitted = try #require(allowed[target.name], "docs/architecture.md has no row for \(target.name)")
            for (module, files) in try Self.imports(in: target.folder) where ours.contains(module) && module != target.name {
                #expect(
                    permitted.contains(module),
                    "\(target.name) imports \(module) (\(files.sorted().prefix(3).joined(separator: ", "))), which its layer does not allow")
            }
            let declared = target.dependencies.intersection(ours)
            #expect(declared.isSubset(of: permitted), "Package.swift gives \(target.name) \(declared.subtracting(permitted).sorted())")
        }
        #expect(Set(allowed.keys) == Set(targets.filter { $0.kind != "testTarget" }.map(\.name)), "every target has one row")
    }

    @Test func theManifestDeclaresWhatEachTargetImportsAndNothingElse() throws {
        for target in try Self.targets() {
            let imported = Set(try Self.imports(in: target.folder).keys).subtracting(Self.toolchain).subtracting([target.name])
            #expect(
                imported.subtracting(target.dependencies).isEmpty,
                "\(target.name) imports \(imported.subtracting(target.dependencies).sorted()) without declaring it")
            #expect(
                target.dependencies.subtracting(imported).isEmpty,
                "\(target.name) declares \(target.dependencies.subtracting(imported).sorted()) and imports none of it")
        }
    }
}
