/// Who may propose and approve changes to the map, per section and per domain of families.
///
/// The rules of the map that runs judge a proposal, never the proposal's own rules, so a change
/// cannot loosen the review it goes through. Administrators may always propose and approve
/// (they manage the users and roles anyway); `secondApprover` still holds them to it.
public struct MapGovernance: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable, CaseIterable {
        case propose, approve
    }

    public struct Rule: Sendable, Equatable {
        public var propose: Set<String>
        public var approve: Set<String>
        /// Someone other than the author must approve.
        public var secondApprover: Bool

        public init(propose: Set<String> = [Self.admin], approve: Set<String> = [Self.admin], secondApprover: Bool = false) {
            self.propose = propose
            self.approve = approve
            self.secondApprover = secondApprover
        }

        public static let admin = "admin"

        func allows(_ action: Action, role: String) -> Bool {
            role == Self.admin || (action == .propose ? propose : approve).contains(role)
        }
    }

    /// What applies where neither a section nor a domain says otherwise.
    public var defaults: Rule
    public var sections: [MapSection: Rule]
    public var domains: [Family.Domain: Rule]

    public init(defaults: Rule = .init(), sections: [MapSection: Rule] = [:], domains: [Family.Domain: Rule] = [:]) {
        self.defaults = defaults
        self.sections = sections
        self.domains = domains
    }

    /// The name of the permission to `action` on `section`: `map.routing.approve`.
    public static func permission(_ action: Action, section: MapSection) -> String { "map.\(section.rawValue).\(action.rawValue)" }

    /// The name of the permission to `action` families of `domain`: `map.domain.support.propose`.
    public static func permission(_ action: Action, domain: Family.Domain) -> String { "map.domain.\(domain.rawValue).\(action.rawValue)" }

    /// The permissions `role` lacks to `action` the change; empty when it may. A change of the
    /// text alone (comments, layout) takes what the default rule allows.
    public func missing(_ action: Action, role: String, change: MapChange) -> [String] {
        if change.sections.isEmpty, change.domains.isEmpty {
            return defaults.allows(action, role: role) ? [] : ["map.\(action.rawValue)"]
        }
        var missing: [String] = []
        for section in change.sections.sorted() where !(sections[section] ?? defaults).allows(action, role: role) {
            missing.append(Self.permission(action, section: section))
        }
        for domain in change.domains.sorted(by: { $0.rawValue < $1.rawValue }) where !(domains[domain] ?? defaults).allows(action, role: role) {
            missing.append(Self.permission(action, domain: domain))
        }
        return missing
    }

    /// Whether the change must be approved by someone other than its author.
    public func needsSecondApprover(_ change: MapChange) -> Bool {
        let rules = change.sections.map { sections[$0] ?? defaults } + change.domains.map { domains[$0] ?? defaults }
        return rules.contains(where: \.secondApprover) || (rules.isEmpty && defaults.secondApprover)
    }
}
