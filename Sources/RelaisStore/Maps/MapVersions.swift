import Crypto
import Foundation
import RelaisCore
import SQLKit

/// The versions of each organisation's map and the rules for moving from one to the next:
/// propose, approve or reject, apply, roll back. Every step that changes something is written to
/// the audit log in its transaction; map writes of one organisation are serialised on its row.
public struct MapVersions: Sendable {
    /// Reads and validates a map's text, with the files it names taken from the second argument
    /// when given (a stored version), else read from the disk; Store does not parse YAML itself.
    public typealias Reader = @Sendable (String, [String: String]?) -> Result<ReadMap, MapReadFailure>

    public struct ReadMap: Sendable {
        public var map: ProcessMap
        public var included: [String: String]
        public init(map: ProcessMap, included: [String: String]) {
            self.map = map
            self.included = included
        }
    }

    public struct MapReadFailure: Error, Sendable {
        public var problems: [MapVersion.Problem]
        public init(problems: [MapVersion.Problem]) { self.problems = problems }
    }

    public let database: RelaisDatabase
    let reader: Reader
    let now: @Sendable () -> Date

    public init(database: RelaisDatabase, reader: @escaping Reader, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.reader = reader
        self.now = now
    }

    /// Tickets sampled to replay routing in an impact.
    public static let routingSample = 300

    // MARK: Reading

    /// The number of the version the organisation runs, read on its own (processes poll it).
    public func runningNumber(organizationID: UUID) async throws -> Int? {
        try await database.read { db in
            try await db.select().column("number").from("map_heads").where("organization_id", .equal, organizationID.text)
                .first(decodingColumn: "number", as: Int.self)
        }
    }

    /// The version the organisation runs and its map.
    public func running(organizationID: UUID) async throws -> (version: MapVersion, map: ProcessMap)? {
        try await database.read { db in try await Self.running(organizationID: organizationID, on: db) }
            .map { version in (version, try map(of: version)) }
    }

    public func version(organizationID: UUID, number: Int) async throws -> MapVersion {
        guard let version = try await database.read({ db in try await Self.version(organizationID: organizationID, number: number, on: db) }) else {
            throw StoreError.notFound(what: "map version", id: String(number))
        }
        return version
    }

    /// Versions newest first, before `number` when given.
    public func list(organizationID: UUID, state: MapVersion.State? = nil, limit: Int, before number: Int? = nil) async throws -> Page<MapVersion> {
        let rows = try await database.read { db in
            var select = db.select().column(SQLRaw(Self.columns.joined(separator: ", "))).from("map_versions")
                .where("organization_id", .equal, organizationID.text)
            if let state { select = select.where("state", .equal, state.rawValue) }
            if let number { select = select.where("number", .lessThan, number) }
            return try await select.orderBy("number", .descending).limit(limit + 1).all()
        }
        return Page(fetched: try rows.map(Self.decode), limit: limit) { PageCursor(value: $0.number, id: $0.id.text) }
    }

    /// The map a version holds; only versions that validated have one.
    public func map(of version: MapVersion) throws -> ProcessMap {
        switch reader(version.text, version.included) {
        case let .success(read): return read.map
        case let .failure(failure): throw MapChangeError.invalid(version: version.number, problems: failure.problems)
        }
    }

    /// What applying `version` in place of the running map would do to the stored tickets.
    public func impact(of version: MapVersion) async throws -> MapImpact {
        guard let running = try await running(organizationID: version.organizationID) else { return MapImpact() }
        return try await impact(of: version, map: try map(of: version), against: running.map)
    }

    /// The impact of `version`, whose map is `map`, in place of `running`, both already read.
    func impact(of version: MapVersion, map: ProcessMap, against running: ProcessMap) async throws -> MapImpact {
        MapImpact(from: running, to: map, live: try await liveTickets(organizationID: version.organizationID), moves: version.moves)
    }

    // MARK: Changing

    /// Stores the map a process starts with as version 1 when the organisation has none yet;
    /// otherwise returns the running version, whatever `text` says.
    public func start(organizationID: UUID, text: String, by actor: MapActor = .commandLine) async throws -> (version: MapVersion, map: ProcessMap) {
        if let running = try await running(organizationID: organizationID) { return running }
        let read: ReadMap
        switch reader(text, nil) {
        case let .success(value): read = value
        case let .failure(failure): throw MapChangeError.invalid(version: 0, problems: failure.problems)
        }
        let map = read.map
        let time = now()
        let version = try await database.transaction { db in
            try await Self.lock(organizationID, on: db)
            if let running = try await Self.running(organizationID: organizationID, on: db) { return running }
            var version = Self.make(
                organizationID: organizationID, number: 1, text: text, included: read.included, message: "first map", by: actor,
                base: nil, change: MapChange(from: nil, to: map), moves: [], at: time)
            version.state = .applied
            version.appliedBy = actor.name
            version.appliedAt = version.createdAt
            try await Self.insert(version, on: db)
            try await db.insert(into: "map_heads").columns("organization_id", "version_id", "number", "applied_at")
                .values(SQLBind(organizationID.text), SQLBind(version.id.text), SQLBind(1), SQLBind(Millis.from(time))).run()
            try await AuditLog.insert([Self.audit(version, action: "map.applied", by: actor, detail: "first map", at: time)], on: db)
            return version
        }
        return (version, try self.map(of: version))
    }

    /// Stores a proposal. A text that does not validate is stored as rejected with its problems
    /// (and `MapChangeError.invalid` thrown); one whose sections the actor may not propose is refused.
    public func propose(organizationID: UUID, text: String, message: String, moves: [StatusMove] = [], by actor: MapActor) async throws -> MapVersion
    {
        guard let running = try await running(organizationID: organizationID) else {
            throw StoreError.invalidConfiguration("the organisation runs no map yet")
        }
        let time = now()
        let proposed: ReadMap
        switch reader(text, nil) {
        case let .success(read):
            proposed = read
        case let .failure(failure):
            let version = try await database.transaction { db in
                try await Self.lock(organizationID, on: db)
                var version = Self.make(
                    organizationID: organizationID, number: try await Self.nextNumber(organizationID, on: db), text: text,
                    included: [:], message: message, by: actor, base: running.version.number, change: nil, moves: moves, at: time)
                version.state = .rejected
                version.problems = failure.problems
                version.decidedBy = "validation"
                version.decidedAt = version.createdAt
                try await Self.insert(version, on: db)
                try await AuditLog.insert(
                    [
                        Self.audit(
                            version, action: "map.proposed", by: actor, outcome: .refused,
                            detail: "\(failure.problems.count) problems", at: time)
                    ], on: db)
                return version
            }
            throw MapChangeError.invalid(version: version.number, problems: failure.problems)
        }
        let change = MapChange(from: running.map, to: proposed.map)
        try Self.require(.propose, of: change, under: running.map, by: actor)
        if Self.digest(text, included: proposed.included) == running.version.hash { throw MapChangeError.unchanged(running: running.version.number) }
        return try await database.transaction { db in
            try await Self.lock(organizationID, on: db)
            let version = Self.make(
                organizationID: organizationID, number: try await Self.nextNumber(organizationID, on: db), text: text,
                included: proposed.included, message: message, by: actor, base: running.version.number, change: change,
                moves: moves, at: time)
            try await Self.insert(version, on: db)
            try await AuditLog.insert([Self.audit(version, action: "map.proposed", by: actor, detail: message, at: time)], on: db)
            return version
        }
    }

    /// Approves a proposal made against the running version, by someone the running map lets
    /// approve every section it changes (and not its author, where a second approver is required).
    public func approve(organizationID: UUID, number: Int, note: String? = nil, by actor: MapActor) async throws -> MapVersion {
        try await decide(organizationID: organizationID, number: number, note: note, by: actor, approve: true)
    }

    /// Refuses a proposal, or an approved version not yet applied. Its author may withdraw it.
    public func reject(organizationID: UUID, number: Int, note: String? = nil, by actor: MapActor) async throws -> MapVersion {
        try await decide(organizationID: organizationID, number: number, note: note, by: actor, approve: false)
    }

    func decide(organizationID: UUID, number: Int, note: String?, by actor: MapActor, approve: Bool) async throws -> MapVersion {
        let version = try await version(organizationID: organizationID, number: number)
        let allowed: [MapVersion.State] = approve ? [.proposed] : [.proposed, .approved]
        guard let running = try await running(organizationID: organizationID) else {
            throw StoreError.invalidConfiguration("the organisation runs no map yet")
        }
        // Who may comes before whether now: a refusal for want of permission says so whatever the state.
        let proposed = version.problems.isEmpty ? try map(of: version) : nil
        if let proposed {
            let change = MapChange(from: running.map, to: proposed)
            if approve || !actor.wrote(version) {
                try Self.require(.approve, of: change, under: running.map, by: actor)
            }
            if approve, version.state == .proposed, actor.wrote(version), running.map.governance.needsSecondApprover(change) {
                throw MapChangeError.ownProposal(sections: Self.secondApproverScope(running.map.governance, change))
            }
        }
        guard allowed.contains(version.state) else {
            throw MapChangeError.wrongState(number: number, state: version.state, action: approve ? "approved" : "rejected")
        }
        if approve, let proposed {
            guard version.baseNumber == running.version.number else {
                throw MapChangeError.stale(base: version.baseNumber, running: running.version.number)
            }
            let impact = try await impact(of: version, map: proposed, against: running.map)
            guard impact.canApply else { throw MapChangeError.wouldBreak(problems: impact.problems) }
        }
        let time = now()
        return try await database.transaction { db in
            try await Self.lock(organizationID, on: db)
            guard var current = try await Self.version(organizationID: organizationID, number: number, on: db), allowed.contains(current.state) else {
                throw MapChangeError.wrongState(number: number, state: version.state, action: approve ? "approved" : "rejected")
            }
            current.state = approve ? .approved : .rejected
            current.decidedByID = actor.id
            current.decidedBy = actor.name
            current.decidedAt = Millis.date(Millis.from(time))
            current.decisionNote = note
            try await db.update("map_versions").set("state", to: current.state.rawValue).set("decided_by_id", to: actor.id?.text)
                .set("decided_by", to: actor.name).set("decided_at", to: Millis.from(time)).set("decision_note", to: note)
                .where("id", .equal, current.id.text).run()
            try await AuditLog.insert(
                [Self.audit(current, action: approve ? "map.approved" : "map.rejected", by: actor, detail: note ?? "", at: time)], on: db)
            return current
        }
    }

    /// Makes an approved version the running one, moving the tickets its status moves name, in one
    /// transaction. Of two applies racing from the same running version, one fails as stale.
    public func apply(organizationID: UUID, number: Int, by actor: MapActor) async throws -> MapVersion {
        let version = try await version(organizationID: organizationID, number: number)
        guard let running = try await running(organizationID: organizationID) else {
            throw StoreError.invalidConfiguration("the organisation runs no map yet")
        }
        guard version.problems.isEmpty else { throw MapChangeError.wrongState(number: number, state: version.state, action: "applied") }
        let next = try map(of: version)
        try Self.require(.approve, of: MapChange(from: running.map, to: next), under: running.map, by: actor)
        guard version.state == .approved else { throw MapChangeError.wrongState(number: number, state: version.state, action: "applied") }
        return try await makeRunning(version, map: next, replacing: running, by: actor, action: "map.applied")
    }

    /// Runs again the text of a version that ran before, as a new version: reviewed once already,
    /// it needs the permission to approve what it changes but no second approver.
    public func rollback(
        organizationID: UUID, to number: Int, message: String? = nil, moves: [StatusMove] = [], by actor: MapActor
    ) async throws -> MapVersion {
        let target = try await version(organizationID: organizationID, number: number)
        guard let running = try await running(organizationID: organizationID) else {
            throw StoreError.invalidConfiguration("the organisation runs no map yet")
        }
        let wrongState = MapChangeError.wrongState(number: number, state: target.state, action: "rolled back to (only a version that ran can be)")
        guard target.problems.isEmpty else { throw wrongState }
        let next = try map(of: target)
        let change = MapChange(from: running.map, to: next)
        try Self.require(.approve, of: change, under: running.map, by: actor)
        guard target.state == .applied else { throw wrongState }
        if target.hash == running.version.hash { throw MapChangeError.unchanged(running: running.version.number) }
        let time = now()
        var version = Self.make(
            organizationID: organizationID, number: 0, text: target.text, included: target.included,
            message: message ?? "rollback to version \(number)",
            by: actor, base: running.version.number, change: change, moves: moves, at: time)
        version.rollbackOf = number
        version.state = .approved
        version.decidedBy = actor.name
        version.decidedByID = actor.id
        version.decidedAt = version.createdAt
        return try await makeRunning(version, map: next, replacing: running, by: actor, action: "map.rolled_back", inserting: true)
    }

    /// Makes `version` (whose map is `next`) the running one in place of `running`, as read by the
    /// caller; the transaction checks under the lock that `running` still is.
    func makeRunning(
        _ version: MapVersion, map next: ProcessMap, replacing running: (version: MapVersion, map: ProcessMap), by actor: MapActor,
        action: String, inserting: Bool = false
    ) async throws -> MapVersion {
        guard version.baseNumber == running.version.number else {
            throw MapChangeError.stale(base: version.baseNumber, running: running.version.number)
        }
        let time = now()
        let organizationID = version.organizationID
        return try await database.transaction { db in
            try await Self.lock(organizationID, on: db)
            // Read again under the lock: another process may have applied meanwhile.
            guard let head = try await Self.running(organizationID: organizationID, on: db), head.number == running.version.number else {
                let current = try await Self.running(organizationID: organizationID, on: db)?.number ?? 0
                throw MapChangeError.stale(base: version.baseNumber, running: current)
            }
            var applied = version
            if inserting {
                applied.number = try await Self.nextNumber(organizationID, on: db)
            } else {
                guard let stored = try await Self.version(organizationID: organizationID, number: version.number, on: db), stored.state == .approved
                else {
                    throw MapChangeError.wrongState(number: version.number, state: version.state, action: "applied")
                }
            }
            let live = try await Self.liveTickets(organizationID: organizationID, sample: 0, on: db)
            let impact = MapImpact(from: running.map, to: next, live: live, moves: version.moves)
            guard impact.canApply else { throw MapChangeError.wouldBreak(problems: impact.problems) }
            applied.state = .applied
            applied.appliedBy = actor.name
            applied.appliedAt = Millis.date(Millis.from(time))
            if inserting {
                try await Self.insert(applied, on: db)
            } else {
                try await db.update("map_versions").set("state", to: "applied").set("applied_by", to: actor.name)
                    .set("applied_at", to: Millis.from(time)).where("id", .equal, applied.id.text).run()
            }
            try await db.update("map_heads").set("version_id", to: applied.id.text).set("number", to: applied.number)
                .set("applied_at", to: Millis.from(time))
                .where("organization_id", .equal, organizationID.text).where("number", .equal, head.number).run()
            let moved = try await Self.follow(
                next, impact: impact, version: applied.number, by: actor, organizationID: organizationID, at: time, on: db)
            let detail = applied.rollbackOf.map { "to version \($0)" } ?? applied.message
            try await AuditLog.insert(
                [
                    Self.audit(
                        applied, action: action, by: actor,
                        detail: detail + (moved > 0 ? "; \(moved) tickets moved" : ""), at: time)
                ], on: db)
            return applied
        }
    }

    /// Moves the tickets of removed statuses and brings status categories in line with `map`.
    static func follow(
        _ map: ProcessMap, impact: MapImpact, version: Int, by actor: MapActor, organizationID: UUID, at time: Date,
        on db: any SQLDatabase
    ) async throws -> Int {
        var targets: [(family: String, status: String, to: String, category: StatusCategory)] = []
        for removed in impact.removedStatuses {
            guard let to = removed.movedTo, let family = map.families[removed.family], let category = map.workflow(of: family)?.category(of: to)
            else { continue }
            targets.append((removed.family, removed.status, to, category))
        }
        for change in impact.categoryChanges { targets.append((change.family, change.status, change.status, change.to)) }
        var count = 0
        for target in targets {
            let rows = try await TicketRow.select(on: db).column(SQLRaw(TicketRepository.Stored.columns.joined(separator: ", ")))
                .where("organization_id", .equal, organizationID.text).where("family", .equal, target.family)
                .where("status", .equal, target.status).orderBy("id").for(.update).all()
            var writes: [TicketRepository.Write] = [], stored: [String: TicketRepository.Stored] = [:]
            for row in rows {
                var ticket = try TicketRow.decode(row)
                stored[ticket.id.text] = try TicketRepository.Stored(row: row)
                let changes = TicketRules.follow(&ticket, status: target.to, category: target.category, mapVersion: version, now: time)
                if !changes.isEmpty { writes.append(.init(ticket: ticket, changes: changes, actor: .init(id: actor.id, name: actor.name))) }
            }
            if !writes.isEmpty { try await TicketRepository.write(writes, stored: stored, on: db) }
            count += writes.count
        }
        return count
    }

}
