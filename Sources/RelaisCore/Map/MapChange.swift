/// The parts of a map that are governed on their own: who may propose or approve a change is set
/// per section (and, for families, per domain).
public enum MapSection: String, Sendable, Equatable, Hashable, Codable, CaseIterable, Comparable {
    /// The organisation's name, time zone and languages, its legal entities and their brands.
    case organization
    /// Families, their workflows and the teams that handle them.
    case families
    /// Severities, the priority matrix, categories and the mappings of other tools' values.
    case referential
    /// SLA policies and the business calendars they run on.
    case sla
    case routing
    case signals
    case cmdb
    /// Mailboxes and, through the API, webhook endpoints.
    case integrations
    /// Who may change which section, the approval it takes, and the roles of the map.
    case governance

    public static func < (lhs: MapSection, rhs: MapSection) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What a new map changes against the one running, section by section.
public struct MapChange: Sendable, Equatable {
    /// Sections whose content differs; empty when only comments or layout changed.
    public var sections: Set<MapSection>
    /// Domains of the families added, removed or changed (their workflow or teams included).
    public var domains: Set<Family.Domain>

    public init(sections: Set<MapSection>, domains: Set<Family.Domain>) {
        self.sections = sections
        self.domains = domains
    }

    /// The change from `old` (nil: no map ran before, so everything is new) to `new`.
    public init(from old: ProcessMap?, to new: ProcessMap) {
        guard let old else {
            self.init(sections: Set(MapSection.allCases), domains: Set(new.families.values.map(\.domain)))
            return
        }
        var sections = Set<MapSection>()
        if old.organization != new.organization || old.entities != new.entities || old.entityOrder != new.entityOrder || old.brands != new.brands {
            sections.insert(.organization)
        }
        if old.families != new.families || old.workflows != new.workflows || old.teams != new.teams { sections.insert(.families) }
        if old.referential != new.referential { sections.insert(.referential) }
        if old.sla != new.sla || old.calendars != new.calendars { sections.insert(.sla) }
        if old.routing != new.routing { sections.insert(.routing) }
        if old.signals != new.signals { sections.insert(.signals) }
        if old.cmdb != new.cmdb { sections.insert(.cmdb) }
        if old.mailboxes != new.mailboxes || old.trackers != new.trackers || old.peers != new.peers || old.connectors != new.connectors {
            sections.insert(.integrations)
        }
        if old.governance != new.governance || old.roles != new.roles { sections.insert(.governance) }
        var domains = Set<Family.Domain>()
        for code in Set(old.families.keys).union(new.families.keys) {
            let before = old.families[code], after = new.families[code]
            let changed =
                before != after
                || before.flatMap { old.workflows[$0.workflow] } != after.flatMap { new.workflows[$0.workflow] }
                || Set(before?.handledBy ?? []).union(after?.handledBy ?? []).contains { old.teams[$0] != new.teams[$0] }
            guard changed else { continue }
            if let before { domains.insert(before.domain) }
            if let after { domains.insert(after.domain) }
        }
        self.init(sections: sections, domains: domains)
    }
}
