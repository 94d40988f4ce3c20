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

    // MARK: Live data

    func liveTickets(organizationID: UUID) async throws -> LiveTickets {
        var live = try await database.read { db in try await Self.liveTickets(organizationID: organizationID, sample: Self.routingSample, on: db) }
        // Routing reads what the account says of itself (`account.tier` ...).
        let crm = CRMRepository(database: database)
        var contexts: [UUID: RoutingContext] = [:]
        for (ticket, _) in live.sample {
            guard let account = ticket.accountID, contexts[account] == nil else { continue }
            contexts[account] = try await crm.account(organizationID: organizationID, id: account)?.routingContext ?? [:]
        }
        live.sample = live.sample.map { ($0.ticket, $0.ticket.accountID.flatMap { contexts[$0] } ?? [:]) }
        return live
    }

    static func liveTickets(organizationID: UUID, sample: Int, on db: any SQLDatabase) async throws -> LiveTickets {
        var live = LiveTickets()
        let statusRows = try await db.select().column("family").column("status").column("status_category").column(
            SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("tickets"))
        )
        .from("tickets").where("organization_id", .equal, organizationID.text)
        .groupBy("family").groupBy("status").groupBy("status_category").all()
        for row in statusRows {
            let category = try row.decode(column: "status_category", as: String.self)
            live.statuses.append(
                .init(
                    family: try row.decode(column: "family", as: String.self), status: try row.decode(column: "status", as: String.self),
                    category: StatusCategory(rawValue: category) ?? .open, tickets: try row.decode(column: "tickets", as: Int.self)))
        }
        func counts(_ table: String, by column: String) async throws -> [String: Int] {
            var counts: [String: Int] = [:]
            for row in try await db.raw(
                """
                SELECT \(ident: column) AS code, COUNT(*) AS n FROM \(ident: table)
                WHERE organization_id = \(bind: organizationID.text) AND \(ident: column) IS NOT NULL GROUP BY \(ident: column)
                """
            ).all() {
                counts[try row.decode(column: "code", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
        live.entityTickets = try await counts("tickets", by: "entity")
        live.brandTickets = try await counts("tickets", by: "brand")
        live.entityAccounts = try await counts("accounts", by: "entity")
        for row in try await db.raw(
            """
            SELECT tracker, COUNT(*) AS n FROM escalations WHERE organization_id = \(bind: organizationID.text)
            AND (status = 'pending' OR (status = 'open' AND fixed_at IS NULL)) GROUP BY tracker
            """
        ).all() {
            live.trackerEscalations[try row.decode(column: "tracker", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        guard sample > 0 else { return live }
        let slaRows = try await db.raw(
            """
            SELECT s.policy_code AS policy, t.priority AS priority, COUNT(*) AS tickets FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
            WHERE s.organization_id = \(bind: organizationID.text) AND s.is_open = 1 GROUP BY s.policy_code, t.priority
            """
        ).all()
        for row in slaRows {
            live.sla.append(
                .init(
                    policy: try row.decode(column: "policy", as: String.self), priority: try row.decode(column: "priority", as: String?.self),
                    openTickets: try row.decode(column: "tickets", as: Int.self)))
        }
        let open = [StatusCategory.new, .open, .pending].map(\.rawValue)
        live.sample = try await TicketRow.select(on: db).where("organization_id", .equal, organizationID.text)
            .where("status_category", .in, open).orderBy("created_at", .descending).limit(sample).all()
            .map { (try TicketRow.decode($0), [:]) }
        return live
    }

    // MARK: Rows

    static let columns = [
        "id", "organization_id", "number", "state", "base_number", "rollback_of", "text", "included", "hash", "message", "author_id", "author",
        "created_at", "decided_by_id", "decided_by", "decided_at", "decision_note", "applied_by", "applied_at",
        "sections", "domains", "moves", "problems",
    ]

    static func make(
        organizationID: UUID, number: Int, text: String, included: [String: String], message: String, by actor: MapActor, base: Int?,
        change: MapChange?,
        moves: [StatusMove], at time: Date
    ) -> MapVersion {
        MapVersion(
            id: UUID.timeOrdered(at: time), organizationID: organizationID, number: number, state: .proposed, baseNumber: base, rollbackOf: nil,
            text: text, included: included, hash: digest(text, included: included), message: message, authorID: actor.id, author: actor.name,
            createdAt: Millis.date(Millis.from(time)),
            decidedByID: nil, decidedBy: nil, decidedAt: nil, decisionNote: nil, appliedBy: nil, appliedAt: nil,
            sections: (change?.sections ?? []).sorted(), domains: (change?.domains ?? []).map(\.rawValue).sorted(), moves: moves, problems: [])
    }

    /// SHA-256 of a map's text and of the files it names (each as its name and content, in name
    /// order), in hex: what `MapVersion.hash` holds.
    public static func digest(_ text: String, included: [String: String]) -> String {
        var hash = SHA256()
        hash.update(data: Data(text.utf8))
        for (name, content) in included.sorted(by: { $0.key < $1.key }) {
            hash.update(data: Data("\u{0}\(name)\u{0}".utf8))
            hash.update(data: Data(content.utf8))
        }
        return HexDigits.text(hash.finalize())
    }

    /// Refuses the actor when the running map's governance does not let their role `action` the change.
    static func require(_ action: MapGovernance.Action, of change: MapChange, under running: ProcessMap, by actor: MapActor) throws {
        let missing = running.governance.missing(action, role: actor.role, change: change)
        guard missing.isEmpty else { throw MapChangeError.forbidden(permissions: missing) }
    }

    static func secondApproverScope(_ governance: MapGovernance, _ change: MapChange) -> [String] {
        let sections = change.sections.sorted().filter { (governance.sections[$0] ?? governance.defaults).secondApprover }.map(\.rawValue)
        let domains = change.domains.sorted { $0.rawValue < $1.rawValue }.filter { (governance.domains[$0] ?? governance.defaults).secondApprover }
        return sections + domains.map { "domain \($0.rawValue)" }
    }

    static func audit(
        _ version: MapVersion, action: String, by actor: MapActor, outcome: AuditEntry.Outcome = .done, detail: String, at time: Date
    ) -> AuditEntry {
        AuditEntry(
            organizationID: version.organizationID, actorID: actor.id, actor: actor.name, action: action, target: "map version \(version.number)",
            outcome: outcome, detail: detail, at: time)
    }

    /// Serialises the map writes of one organisation (SQLite has one writer anyway).
    static func lock(_ organizationID: UUID, on db: any SQLDatabase) async throws {
        _ = try await db.select().column("id").from("organizations").where("id", .equal, organizationID.text).for(.update).first()
    }

    static func nextNumber(_ organizationID: UUID, on db: any SQLDatabase) async throws -> Int {
        let last = try await db.select().column(SQLAlias(SQLFunction("MAX", args: SQLIdentifier("number")), as: SQLIdentifier("last")))
            .from("map_versions").where("organization_id", .equal, organizationID.text).first(decodingColumn: "last", as: Int?.self)
        return (last.flatMap { $0 } ?? 0) + 1
    }

    static func running(organizationID: UUID, on db: any SQLDatabase) async throws -> MapVersion? {
        guard
            let number = try await db.select().column("number").from("map_heads").where("organization_id", .equal, organizationID.text)
                .first(decodingColumn: "number", as: Int.self)
        else { return nil }
        return try await version(organizationID: organizationID, number: number, on: db)
    }

    static func version(organizationID: UUID, number: Int, on db: any SQLDatabase) async throws -> MapVersion? {
        try await db.select().column(SQLRaw(columns.joined(separator: ", "))).from("map_versions")
            .where("organization_id", .equal, organizationID.text).where("number", .equal, number).first().map(decode)
    }

    static let json = JSONEncoder()

    static func insert(_ version: MapVersion, on db: any SQLDatabase) async throws {
        func encoded(_ value: some Encodable) throws -> String { String(decoding: try json.encode(value), as: UTF8.self) }
        try await RowInsert.run(
            "map_versions", columns: columns,
            rows: [
                [
                    version.id.text, version.organizationID.text, version.number, version.state.rawValue, version.baseNumber, version.rollbackOf,
                    version.text, try encoded(version.included), version.hash, version.message, version.authorID?.text, version.author,
                    Millis.from(version.createdAt),
                    version.decidedByID?.text, version.decidedBy, version.decidedAt.map(Millis.from), version.decisionNote, version.appliedBy,
                    version.appliedAt.map(Millis.from), try encoded(version.sections.map(\.rawValue)), try encoded(version.domains),
                    try encoded(version.moves),
                    try encoded(version.problems),
                ]
            ], on: db)
    }

    static func decode(_ row: any SQLRow) throws -> MapVersion {
        func json<T: Decodable>(_ column: String, _ type: T.Type) throws -> T {
            try JSONDecoder().decode(type, from: Data(try row.decode(column: column, as: String.self).utf8))
        }
        func date(_ column: String) throws -> Date? { try row.decode(column: column, as: Int?.self).map(Millis.date) }
        let state = try row.decode(column: "state", as: String.self)
        guard let parsed = MapVersion.State(rawValue: state) else {
            throw StoreError.invalidValue(field: "state", reason: "unknown map version state '\(state)'")
        }
        return MapVersion(
            id: try row.uuid("id"), organizationID: try row.uuid("organization_id"), number: try row.decode(column: "number", as: Int.self),
            state: parsed,
            baseNumber: try row.decode(column: "base_number", as: Int?.self), rollbackOf: try row.decode(column: "rollback_of", as: Int?.self),
            text: try row.decode(column: "text", as: String.self), included: try json("included", [String: String].self),
            hash: try row.decode(column: "hash", as: String.self),
            message: try row.decode(column: "message", as: String.self), authorID: try row.optionalUUID("author_id"),
            author: try row.decode(column: "author", as: String.self), createdAt: try date("created_at") ?? Date(timeIntervalSince1970: 0),
            decidedByID: try row.optionalUUID("decided_by_id"), decidedBy: try row.decode(column: "decided_by", as: String?.self),
            decidedAt: try date("decided_at"), decisionNote: try row.decode(column: "decision_note", as: String?.self),
            appliedBy: try row.decode(column: "applied_by", as: String?.self), appliedAt: try date("applied_at"),
            sections: try json("sections", [String].self).compactMap(MapSection.init(rawValue:)), domains: try json("domains", [String].self),
            moves: try json("moves", [StatusMove].self), problems: try json("problems", [MapVersion.Problem].self))
    }
}
