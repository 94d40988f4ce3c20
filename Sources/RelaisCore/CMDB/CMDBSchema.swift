import Foundation

/// What the map declares about configuration items: the types an item may have and the typed
/// relations between items, each with the way an incident spreads along it.
public struct CMDBSchema: Sendable, Equatable {
    public var types: [String: ItemType]
    public var relations: [String: RelationType]

    public init(types: [String: ItemType] = [:], relations: [String: RelationType] = [:]) {
        self.types = types
        self.relations = relations
    }

    /// A kind of configuration item: server, workstation, application, service, licence ...
    public struct ItemType: Sendable, Equatable {
        public var code: String
        public var label: LocalizedText
        /// A service the business or customers consume: impact reports list these.
        public var isService: Bool

        public init(code: String, label: LocalizedText = LocalizedText([:]), isService: Bool = false) {
            self.code = code
            self.label = label
            self.isService = isService
        }
    }

    /// A relation `source → target`, as in "application runs on server".
    public struct RelationType: Sendable, Equatable {
        public var code: String
        public var label: LocalizedText
        public var impact: ImpactDirection

        public init(code: String, label: LocalizedText = LocalizedText([:]), impact: ImpactDirection) {
            self.code = code
            self.label = label
            self.impact = impact
        }
    }

    /// Which end of a relation suffers when the other one fails.
    public enum ImpactDirection: String, Sendable, Equatable, CaseIterable {
        /// `A depends_on B`, `A runs_on B`: B failing hurts A.
        case source
        /// `A part_of B`: A failing hurts B.
        case target
        /// The relation documents something; an incident does not spread along it.
        case none
    }

    /// Why the map does not allow an item of type `type`, or nil when it does.
    public func problem(itemType type: String) -> String? {
        guard types[type] == nil else { return nil }
        return types.isEmpty
            ? "the map declares no configuration item types (cmdb.types)"
            : "unknown type '\(type)'; the map declares \(types.keys.sorted().joined(separator: ", "))"
    }

    /// Why the map does not allow a relation of type `type` from `source` to `target`, naming the
    /// field at fault (`type`, or `target` for an item related to itself), or nil when it does.
    public func problem(relationType type: String, source: UUID, target: UUID) -> (field: RelationField, reason: String)? {
        guard relations[type] != nil else {
            return (
                .type,
                relations.isEmpty
                    ? "the map declares no relation types (cmdb.relations)"
                    : "unknown relation type '\(type)'; the map declares \(relations.keys.sorted().joined(separator: ", "))"
            )
        }
        return source == target ? (.target, "an item cannot be related to itself") : nil
    }

    public enum RelationField: Sendable { case type, target }

    /// The relations an unconfigured map gets: the usual three of a CMDB.
    public static let standardRelations: [String: RelationType] = [
        "depends_on": .init(code: "depends_on", label: LocalizedText(["en": "depends on", "fr": "dépend de"]), impact: .source),
        "runs_on": .init(code: "runs_on", label: LocalizedText(["en": "runs on", "fr": "s'exécute sur"]), impact: .source),
        "part_of": .init(code: "part_of", label: LocalizedText(["en": "part of", "fr": "fait partie de"]), impact: .target),
    ]
}
