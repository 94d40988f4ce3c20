import Foundation
import Yams

/// Walks a composed YAML tree, collecting problems with their line and column instead of
/// stopping at the first one.
final class MapReader {
    typealias Pair = (key: String, keyNode: Node, value: Node)

    let file: String
    private(set) var problems: [MapProblem] = []
    /// Files the map names (holiday calendars), by the name it gives, already read: a stored map
    /// version carries them, so reading it again does not depend on the disk.
    let given: [String: String]?
    /// Every file the map named, as read.
    var included: [String: String] = [:]

    init(file: String, given: [String: String]? = nil) {
        self.file = file
        self.given = given
    }

    /// Largest file a map may name, in bytes.
    static let largestInclude = 1 << 20

    /// What is wrong with `name` as a file the map names, or nil. A map can be proposed by whoever
    /// holds the map permissions, so the files it names are next to the map or below it, never
    /// elsewhere on the server (`/etc/…`, `../…`), and are iCalendar files.
    static func includeProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= 255, !name.hasPrefix("/"), !name.hasPrefix("~"), !name.contains("\\"),
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
            !name.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." || $0.isEmpty })
        else {
            return "'\(name.prefix(100))' is not a path next to the map (no absolute path, no '..')"
        }
        guard name.lowercased().hasSuffix(".ics") else { return "'\(name.prefix(100))' is not an iCalendar file (.ics)" }
        return nil
    }

    /// The content of a file the map names, relative to the map: from `given` when there, else
    /// from the disk; nil when it cannot be read, or is not a file `includeProblem` allows or is
    /// larger than `largestInclude`.
    func include(_ name: String) -> String? {
        guard Self.includeProblem(name) == nil else { return nil }
        if let text = given?[name] {
            included[name] = text
            return text
        }
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        let url = base.appendingPathComponent(name)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue
        guard let size, size <= Self.largestInclude, let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        included[name] = text
        return text
    }

    /// A problem in another file the map points to, such as an `.ics` calendar.
    func problem(file: String, line: Int, _ message: String) {
        problems.append(MapProblem(file: file, line: line, column: 1, message: message))
    }

    func problem(at node: Node?, _ message: String) {
        let mark = node?.mark
        problems.append(MapProblem(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    /// The pairs of a mapping in document order, reporting duplicate and unknown keys.
    func pairs(_ node: Node?, _ path: String, allowed: [String]? = nil) -> [Pair] {
        guard let node else { return [] }
        guard case let .mapping(mapping) = node else {
            problem(at: node, "\(path) must be a mapping")
            return []
        }
        var seen = Set<String>()
        var result: [Pair] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                problem(at: keyNode, "\(path): keys must be plain names")
                continue
            }
            guard seen.insert(key).inserted else {
                problem(at: keyNode, "\(path): duplicate key '\(key)'")
                continue
            }
            if let allowed, !allowed.contains(key) {
                problem(at: keyNode, "\(path): unknown key '\(key)'; expected one of \(allowed.joined(separator: ", "))")
                continue
            }
            result.append((key, keyNode, value))
        }
        return result
    }

    func fields(_ node: Node?, _ path: String, allowed: [String]) -> [String: Node] {
        Dictionary(pairs(node, path, allowed: allowed).map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    func string(_ node: Node?, _ path: String) -> String? {
        guard let node else { return nil }
        guard let scalar = node.scalar, !scalar.string.isEmpty else {
            problem(at: node, "\(path) must be a text value")
            return nil
        }
        return scalar.string
    }

    func requiredString(_ fields: [String: Node], _ key: String, _ path: String, at parent: Node) -> String? {
        guard let node = fields[key] else {
            problem(at: parent, "\(path): missing '\(key)'")
            return nil
        }
        return string(node, "\(path).\(key)")
    }

    func int(_ node: Node?, _ path: String) -> Int? {
        guard let node else { return nil }
        guard let value = node.scalar.flatMap({ Int($0.string) }) else {
            problem(at: node, "\(path) must be a whole number")
            return nil
        }
        return value
    }

    func bool(_ node: Node?, _ path: String) -> Bool? {
        guard let node else { return nil }
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            problem(at: node, "\(path) must be true or false")
            return nil
        }
    }

    /// A list of names; a single name is read as a list of one.
    func strings(_ node: Node?, _ path: String) -> [(String, Node)] {
        guard let node else { return [] }
        switch node {
        case .scalar(let scalar) where !scalar.string.isEmpty:
            return [(scalar.string, node)]
        case .sequence(let sequence):
            return sequence.enumerated().compactMap { index, item in
                string(item, "\(path)[\(index)]").map { ($0, item) }
            }
        default:
            problem(at: node, "\(path) must be a list of names")
            return []
        }
    }

    func sequence(_ node: Node?, _ path: String) -> [Node] {
        guard let node else { return [] }
        guard case let .sequence(sequence) = node else {
            problem(at: node, "\(path) must be a list")
            return []
        }
        return Array(sequence)
    }

    /// Checks that every name is one of `known`, naming `what` in the message.
    func checkKnown(_ values: [(String, Node)], in known: some Collection<String>, _ path: String, what: String) {
        for (value, node) in values where !known.contains(value) {
            problem(at: node, "\(path): unknown \(what) '\(value)'; expected one of \(known.sorted().joined(separator: ", "))")
        }
    }

    /// A `{ fr: ..., en: ... }` label, or a single text used for every language.
    func label(_ node: Node?, _ path: String) -> [String: String] {
        guard let node else { return [:] }
        if let text = node.scalar?.string { return ["en": text] }
        var values: [String: String] = [:]
        for pair in pairs(node, path) {
            if let text = string(pair.value, "\(path).\(pair.key)") { values[pair.key] = text }
        }
        return values
    }

    /// A nested mapping of scalars flattened to dotted keys: `{ tickets: { at_least: 3 } }`
    /// gives `["tickets.at_least": "3"]`; lists are joined with commas.
    func flattened(_ node: Node?, _ path: String, prefix: String = "") -> [String: String] {
        var result: [String: String] = [:]
        for pair in pairs(node, path) {
            let key = prefix.isEmpty ? pair.key : "\(prefix).\(pair.key)"
            switch pair.value {
            case .scalar(let scalar): result[key] = scalar.string
            case .sequence: result[key] = strings(pair.value, "\(path).\(pair.key)").map(\.0).joined(separator: ",")
            case .mapping: result.merge(flattened(pair.value, "\(path).\(pair.key)", prefix: key)) { $1 }
            case .alias: problem(at: pair.value, "\(path).\(pair.key): aliases are not supported")
            }
        }
        return result
    }
}
