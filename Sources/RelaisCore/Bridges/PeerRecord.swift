import Foundation

/// A ticket as a peer tool (ServiceNow, Jira, Zendesk, a spreadsheet...) holds it: its own id,
/// its local values as the tool writes them (state codes, categories, groups) and its history.
public struct PeerRecord: Sendable, Equatable {
    /// One change the tool recorded, with its own time.
    public struct Change: Sendable, Equatable {
        public var at: Date
        public var actor: String
        /// The local field that changed (`state`, `assignment_group`...).
        public var field: String
        public var from: String?
        public var to: String?

        public init(at: Date, actor: String, field: String, from: String? = nil, to: String? = nil) {
            self.at = at
            self.actor = actor
            self.field = field
            self.from = from
            self.to = to
        }
    }

    /// The tool, as the map's mappings name it (`servicenow`).
    public var source: String
    public var externalID: String
    public var title: String
    public var description: String
    /// Local values, raw: what the mappings match on.
    public var values: [String: String]
    public var createdAt: Date
    public var updatedAt: Date
    public var history: [Change]

    public init(
        source: String, externalID: String, title: String, description: String = "", values: [String: String],
        createdAt: Date, updatedAt: Date? = nil, history: [Change] = []
    ) {
        self.source = source
        self.externalID = externalID
        self.title = title
        self.description = description
        self.values = values
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.history = history
    }
}

/// A record as read from a file or an answer, with where it was: read, or refused.
public struct PeerInput: Sendable {
    public var position: String
    public var record: Result<PeerRecord, PeerRecordProblem>

    public init(position: String, record: Result<PeerRecord, PeerRecordProblem>) {
        self.position = position
        self.record = record
    }
}

/// A record of a file or an answer that could not be read, with where it was and why.
public struct PeerRecordProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// `record 12` (a JSON array's position, from 1), `line 40` (a CSV line).
    public var position: String
    public var reason: String

    public init(position: String, reason: String) {
        self.position = position
        self.reason = reason
    }

    public var description: String { "\(position): \(reason)" }
}

/// How a peer record becomes a Relais ticket: every local value goes through the map's
/// `referential.mappings` for its source; a record whose family or status no mapping gives is
/// not imported, and local values no mapping covers are counted for the coverage report.
public enum PeerImportRules {
    /// The ticket (not yet numbered) and its history with the tool's times.
    public struct Translation: Sendable {
        public var ticket: Ticket
        public var history: [(change: TicketChange, at: Date, actor: String)]
    }

    /// Why a record is not imported: the referential fields no mapping gave it.
    public struct Unmapped: Error, Sendable, Equatable {
        public var missing: [String]
        public var reason: String
    }

    public static func translate(_ record: PeerRecord, map: ProcessMap, organizationID: UUID, id: UUID) -> Result<Translation, Unmapped> {
        let mapped = ValueMapping.apply(map.referential.mappings, source: record.source, to: record.values)
        guard let familyCode = mapped["family"], let family = map.families[familyCode], let workflow = map.workflow(of: family) else {
            return .failure(Unmapped(missing: ["family"], reason: "no mapping of '\(record.source)' gives a family to \(describe(record.values))"))
        }
        guard let status = status(mapped, in: workflow), let category = workflow.category(of: status) else {
            return .failure(
                Unmapped(
                    missing: ["status"],
                    reason:
                        "no mapping of '\(record.source)' gives a status or status category of workflow '\(workflow.code)' to \(describe(record.values))"
                ))
        }
        let team = mapped["team"].flatMap { family.handledBy.contains($0) ? $0 : nil }
        let title = record.title.trimmingCharacters(in: .whitespacesAndNewlines)
        var ticket = Ticket(
            id: id, organizationID: organizationID, key: "", number: 0, family: family.code,
            title: title.isEmpty ? "(\(record.source) \(record.externalID))" : String(title.prefix(500)), description: record.description,
            status: status, statusCategory: category, impact: mapped["impact"], urgency: mapped["urgency"],
            priority: mapped["priority"] ?? TicketRules.derivedPriority(impact: mapped["impact"], urgency: mapped["urgency"], map: map),
            severity: mapped["severity"], category: mapped["category"], channel: "import", openedBy: mapped["opened_by"] ?? "internal",
            team: team, level: team.flatMap { map.teams[$0]?.level },
            tags: ["imported:\(record.source)"], createdAt: record.createdAt, updatedAt: max(record.updatedAt, record.createdAt))
        (ticket.entity, ticket.brand) = (try? map.entityAndBrand(brand: nil, entity: nil, account: nil, team: team)) ?? (nil, nil)
        return .success(Translation(ticket: ticket, history: history(of: record, to: ticket, workflow: workflow, map: map)))
    }

    /// Brings a ticket made from a peer record in line with the record as the tool holds it now:
    /// one change per field that moved, stamped with the record's update time; refused when the
    /// record no longer maps, or maps to another family (a ticket does not change family).
    public static func update(_ ticket: inout Ticket, from record: PeerRecord, map: ProcessMap) -> Result<[TicketChange], Unmapped> {
        let new: Ticket
        switch translate(record, map: map, organizationID: ticket.organizationID, id: ticket.id) {
        case let .failure(unmapped): return .failure(unmapped)
        case let .success(translation): new = translation.ticket
        }
        guard new.family == ticket.family else {
            return .failure(
                Unmapped(
                    missing: ["family"],
                    reason:
                        "its mapping now gives family '\(new.family)', but ticket \(ticket.key) is of '\(ticket.family)'; a ticket does not change family"
                ))
        }
        var changes: [TicketChange] = []
        if new.status != ticket.status {
            changes.append(TicketChange(kind: .statusChanged, field: "status", from: ticket.status, to: new.status))
            (ticket.status, ticket.statusCategory) = (new.status, new.statusCategory)
        }
        let fields: [(String, WritableKeyPath<Ticket, String?>)] = [
            ("impact", \.impact), ("urgency", \.urgency), ("priority", \.priority), ("severity", \.severity), ("category", \.category),
            ("team", \.team),
        ]
        for (name, path) in fields {
            if let change = TicketChange.field(name, from: ticket[keyPath: path], to: new[keyPath: path]) { changes.append(change) }
            ticket[keyPath: path] = new[keyPath: path]
        }
        ticket.level = new.level
        if let change = TicketChange.field("title", from: ticket.title, to: new.title) { changes.append(change) }
        ticket.title = new.title
        if new.description != ticket.description {
            changes.append(TicketChange(kind: .fieldChanged, field: "description"))
            ticket.description = new.description
        }
        if !changes.isEmpty {
            ticket.updatedAt = max(record.updatedAt, ticket.updatedAt)
            ticket.version += 1
        }
        return .success(changes)
    }

    /// The history: the creation at the tool's creation time in the workflow's first status, then
    /// each status the tool recorded (its local values mapped like the record's), ending where the
    /// ticket stands now.
    static func history(
        of record: PeerRecord, to ticket: Ticket, workflow: Workflow, map: ProcessMap
    )
        -> [(change: TicketChange, at: Date, actor: String)]
    {
        var entries: [(change: TicketChange, at: Date, actor: String)] = []
        var current = workflow.initial
        entries.append((TicketChange(kind: .created, to: current), record.createdAt, record.source))
        for change in record.history.sorted(by: { $0.at < $1.at }) {
            var values = record.values
            values[change.field] = change.to
            let mapped = ValueMapping.apply(map.referential.mappings, source: record.source, to: values)
            guard let status = status(mapped, in: workflow), status != current else { continue }
            entries.append(
                (TicketChange(kind: .statusChanged, field: "status", from: current, to: status), max(change.at, record.createdAt), change.actor))
            current = status
        }
        if current != ticket.status {
            entries.append((TicketChange(kind: .statusChanged, field: "status", from: current, to: ticket.status), ticket.updatedAt, record.source))
        }
        return entries
    }

    /// The status a mapping gives: `status` when the workflow has it, else the workflow's first
    /// status of the `status_category` given.
    static func status(_ mapped: [String: String], in workflow: Workflow) -> String? {
        if let status = mapped["status"], workflow.category(of: status) != nil { return status }
        guard let category = mapped["status_category"].flatMap(StatusCategory.init(rawValue:)) else { return nil }
        return workflow.statusOrder.first { workflow.category(of: $0) == category }
    }

    /// The local values of `fields` that no mapping of `source` matches on, for the coverage report.
    public static func uncovered(_ record: PeerRecord, fields: [String], mappings: [ValueMapping]) -> [(field: String, value: String)] {
        fields.compactMap { field in
            guard let value = record.values[field], !value.isEmpty else { return nil }
            let covered = mappings.contains { $0.source == record.source && $0.match[field] == value }
            return covered ? nil : (field, value)
        }
    }

    static func describe(_ values: [String: String]) -> String {
        values.isEmpty ? "a record with no local value" : values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
