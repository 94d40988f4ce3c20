/// The values shared by every tool and the CRM: severities, categories, the priority matrix,
/// and how other tools' local values map onto them.
public struct Referential: Sendable, Equatable {
    public var severities: [String]
    public var priorityMatrix: PriorityMatrix
    public var categories: [Category]
    public var mappings: [ValueMapping]

    public struct Category: Sendable, Equatable {
        public var code: String
        public var label: LocalizedText
        public init(code: String, label: LocalizedText) {
            self.code = code
            self.label = label
        }
    }

    public init(
        severities: [String] = [], priorityMatrix: PriorityMatrix = .init(),
        categories: [Category] = [], mappings: [ValueMapping] = []
    ) {
        self.severities = severities
        self.priorityMatrix = priorityMatrix
        self.categories = categories
        self.mappings = mappings
    }

    public var categoryCodes: [String] { categories.map(\.code) }
}

/// One rule translating a peer tool's local values into the referential:
/// `{ source: servicenow, match: { category: Network }, set: { category: network } }`.
public struct ValueMapping: Sendable, Equatable {
    public var source: String
    public var match: [String: String]
    public var set: [String: String]

    public init(source: String, match: [String: String], set: [String: String]) {
        self.source = source
        self.match = match
        self.set = set
    }

    /// The referential values for a record of `source`: every mapping that matches adds its `set`,
    /// the first one to set a field wins.
    public static func apply(_ mappings: [ValueMapping], source: String, to record: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for mapping in mappings where mapping.source == source {
            guard mapping.match.allSatisfy({ record[$0.key] == $0.value }) else { continue }
            result.merge(mapping.set) { current, _ in current }
        }
        return result
    }
}
