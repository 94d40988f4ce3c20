import Foundation
import Logging
import RelaisCore
import SQLKit

/// A business signal as stored: raised by a rule for an account (or a feature across accounts),
/// with the tickets that raised it.
public struct Signal: Sendable, Equatable {
    public enum Status: String, Sendable { case open, closed }
    public var id: UUID
    public var rule: String
    public var subject: String
    public var accountID: UUID?
    public var group: String?
    public var status: Status
    public var openedAt: Date
    public var closedAt: Date?
    public var evidence: [String]
    /// The follow-up task opened for the account owner, if the rule asks for one.
    public var taskKey: String?
}

/// Evaluates the map's signal rules and keeps `signals` in step: a signal opens once per rule and
/// subject (a unique index makes sure of it even with several processes), follows its evidence,
/// and closes by itself when its condition no longer holds. Opening and closing write a
/// `signal_events` row and an outbox event in the same transaction.
public struct SignalService: Sendable {
    public let map: ProcessMap
    public let database: RelaisDatabase
    let tickets: TicketRepository
    let now: @Sendable () -> Date
    static let actor = TicketRepository.Actor(id: nil, name: "signals")
    static let columns = [
        "id", "organization_id", "rule", "subject", "account_id", "group_value", "status", "opened_at", "closed_at",
        "evidence", "task_ticket_key", "updated_at",
    ]

    public init(map: ProcessMap, database: RelaisDatabase, now: @escaping @Sendable () -> Date = Date.init) {
        self.map = map
        self.database = database
        self.tickets = TicketRepository(database: database, sla: map.sla.isEmpty ? nil : SLATracker(map: map))
        self.now = { Millis.date(Millis.from(now())) }
    }

    /// A follow-up task to open once the signal that asks for it is committed.
    struct Task: Sendable {
        var signal: UUID
        var rule: SignalRule
        var account: Account
    }

    public struct Pass: Sendable, Equatable {
        public var accounts = 0
        public var opened = 0
        public var closed = 0
        /// Account summaries that changed and were published as `relais.account.rollup_changed`.
        public var published = 0
    }

    var accountRules: [SignalRule] { map.signals.values.filter { $0.scope == .account }.sorted { $0.code < $1.code } }
    var globalRules: [SignalRule] { map.signals.values.filter { $0.scope == .all }.sorted { $0.code < $1.code } }

    /// Evaluates the accounts whose tickets changed since their last evaluation (up to `limit`),
    /// then the rules that count across accounts in their organisations.
    @discardableResult
    public func runOnce(limit: Int = 200) async throws -> Pass {
        let dirty = try await database.transaction { db in
            let rows = try await db.select().columns("account_id", "organization_id").from("account_rollups")
                .where("dirty", .equal, 1).limit(limit).all()
            let claimed = try rows.map {
                (try $0.decode(column: "account_id", as: String.self), try $0.decode(column: "organization_id", as: String.self))
            }
            if !claimed.isEmpty {
                try await db.update("account_rollups").set("dirty", to: 0).where("account_id", .in, claimed.map(\.0)).run()
            }
            return claimed
        }
        var pass = Pass()
        var failure: (any Error)?
        for (account, organization) in dirty {
            guard let accountID = UUID(uuidString: account), let organizationID = UUID(uuidString: organization) else { continue }
            do {
                pass.add(try await evaluate(accountID: accountID, organizationID: organizationID))
            } catch {
                // Left for the next pass rather than lost until the next change.
                failure = error
                try? await database.transaction { db in
                    try await db.update("account_rollups").set("dirty", to: 1).where("account_id", .equal, account).run()
                }
            }
        }
        if let failure, pass.accounts == 0 { throw failure }
        for organization in Set(dirty.map(\.1)).sorted() {
            guard let organizationID = UUID(uuidString: organization) else { continue }
            pass.add(try await evaluateAcrossAccounts(organizationID: organizationID))
        }
        return pass
    }

    /// Re-evaluates every account with open signals or tickets in the longest window: windows
    /// slide and renewal dates come closer without any ticket changing.
    @discardableResult
    public func sweep(organizationID: UUID) async throws -> Pass {
        let since = Millis.from(now()) - (map.signals.values.map(\.window).max() ?? 0) * 1000
        let accounts = try await database.read { db in
            let recent = try await db.select().distinct().column("account_id").from("tickets")
                .where("organization_id", .equal, organizationID.text).where("account_id", .isNot, SQLLiteral.null)
                .where("created_at", .greaterThanOrEqual, since).all()
            let signalled = try await db.select().distinct().column("account_id").from("signals")
                .where("organization_id", .equal, organizationID.text).where("status", .equal, "open")
                .where("account_id", .isNot, SQLLiteral.null).all()
            return Set(try (recent + signalled).map { try $0.decode(column: "account_id", as: String.self) })
        }
        var pass = Pass()
        for account in accounts.sorted() {
            guard let accountID = UUID(uuidString: account) else { continue }
            pass.add(try await evaluate(accountID: accountID, organizationID: organizationID))
        }
        pass.add(try await evaluateAcrossAccounts(organizationID: organizationID))
        return pass
    }

    /// Evaluates the rules that watch one account, opening, updating and closing its signals.
    @discardableResult
    public func evaluate(accountID: UUID, organizationID: UUID) async throws -> Pass {
        let instant = now()
        let rules = accountRules
        let (pass, tasks) = try await database.transaction { db -> (Pass, [Task]) in
            var pass = Pass(accounts: 1)
            var tasks: [Task] = []
            let account = try await CRMRepository.account(organizationID: organizationID, where: "id", is: accountID.text, on: db)
            var findings: [SignalFinding] = []
            if let account, !rules.isEmpty {
                let contracts = try await CRMRecordRow.select(on: db).where("organization_id", .equal, organizationID.text)
                    .where("account_id", .equal, accountID.text).where("kind", .equal, CRMObjectKind.contract.rawValue).all()
                    .map { try CRMRecordRow.decode($0).routingContext }
                let subject = SignalAccount(id: accountID, attributes: account.routingContext, contracts: contracts)
                let window = rules.map(\.window).max() ?? 0
                let recent = try await Self.tickets(
                    organizationID: organizationID, accountID: accountID, since: instant.addingTimeInterval(-TimeInterval(window)), on: db)
                for rule in rules { findings += SignalEngine.evaluate(rule, account: subject, tickets: recent, now: instant) }
            }
            let open = try await Self.openSignals(organizationID: organizationID, accountID: accountID, on: db)
            let result = try await reconcile(findings, open: open, organizationID: organizationID, accountID: accountID, at: instant, on: db)
            pass.opened = result.opened.count
            pass.closed = result.closed
            pass.published = try await AccountRollups.publish(organizationID: organizationID, accountID: accountID, at: instant, on: db) ? 1 : 0
            if let account {
                for (id, code) in result.opened {
                    if let rule = map.signals[code], rule.actions.crmTask != nil { tasks.append(Task(signal: id, rule: rule, account: account)) }
                }
            }
            return (pass, tasks)
        }
        for task in tasks { try await openTask(for: task.signal, rule: task.rule, account: task.account, organizationID: organizationID) }
        return pass
    }

    /// Evaluates the rules with `scope: all` over the organisation's recent tickets.
    @discardableResult
    public func evaluateAcrossAccounts(organizationID: UUID) async throws -> Pass {
        let rules = globalRules
        let instant = now()
        return try await database.transaction { db in
            var findings: [SignalFinding] = []
            // Each rule reads only the tickets its filter could count: across accounts, a window
            // holds far more tickets than any one rule looks at.
            for rule in rules {
                let recent = try await Self.tickets(
                    organizationID: organizationID, accountID: nil,
                    since: instant.addingTimeInterval(-TimeInterval(rule.window)), matching: rule.tickets, on: db)
                findings += SignalEngine.evaluate(rule, account: nil, tickets: recent, now: instant)
            }
            let open = try await Self.openSignals(organizationID: organizationID, accountID: nil, on: db)
            let result = try await reconcile(findings, open: open, organizationID: organizationID, accountID: nil, at: instant, on: db)
            return Pass(accounts: 0, opened: result.opened.count, closed: result.closed)
        }
    }

    /// Opens what is found and not yet open, refreshes the evidence of what stays, closes the rest.
    func reconcile(
        _ findings: [SignalFinding], open: [Signal], organizationID: UUID, accountID: UUID?, at instant: Date, on db: any SQLDatabase
    )
        async throws -> (opened: [(UUID, String)], closed: Int)
    {
        let time = Millis.from(instant)
        var opened: [(UUID, String)] = [], closed = 0
        let openByKey = Dictionary(open.map { ("\($0.rule)|\($0.subject)", $0) }, uniquingKeysWith: { first, _ in first })
        let found = Set(findings.map { "\($0.rule)|\($0.subject)" })
        for finding in findings {
            if let signal = openByKey["\(finding.rule)|\(finding.subject)"] {
                if signal.evidence != finding.evidence {
                    try await db.update("signals").set("evidence", to: JSONText.encode(finding.evidence)).set("updated_at", to: time)
                        .where("id", .equal, signal.id.text).run()
                }
                continue
            }
            let id = UUID.timeOrdered(at: instant)
            let inserted = try await db.raw(
                """
                INSERT INTO signals (\(unsafeRaw: Self.columns.joined(separator: ", "))) VALUES (\(binds: [
                    id.text, organizationID.text, finding.rule, finding.subject, finding.accountID?.text, finding.group, "open", time, nil as Int?,
                    JSONText.encode(finding.evidence), nil as String?, time,
                ] as [any Encodable & Sendable])) ON CONFLICT DO NOTHING RETURNING id
                """
            ).first()
            guard inserted != nil else { continue }  // another process opened it first
            try await record(
                .init(
                    id: id, rule: finding.rule, subject: finding.subject, accountID: finding.accountID, group: finding.group,
                    status: .open, openedAt: instant, evidence: finding.evidence),
                kind: "opened", organizationID: organizationID, at: instant, on: db)
            opened.append((id, finding.rule))
        }
        for signal in open where !found.contains("\(signal.rule)|\(signal.subject)") {
            try await db.update("signals").set("status", to: "closed").set("closed_at", to: time).set("updated_at", to: time)
                .where("id", .equal, signal.id.text).where("status", .equal, "open").run()
            var closedSignal = signal
            closedSignal.status = .closed
            closedSignal.closedAt = instant
            try await record(closedSignal, kind: "closed", organizationID: organizationID, at: instant, on: db)
            closed += 1
        }
        if let accountID, opened.count != closed {
            try await RowInsert.run(
                "account_rollups", columns: ["account_id", "organization_id", "tickets", "open_signals", "dirty"],
                rows: [[accountID.text, organizationID.text, 0, opened.count - closed, 0]], upsertingOn: "account_id",
                updating: "open_signals = account_rollups.open_signals + excluded.open_signals", on: db)
        }
        return (opened, closed)
    }

    /// The history row and the outside event of a signal opening or closing.
    func record(_ signal: Signal, kind: String, organizationID: UUID, at instant: Date, on db: any SQLDatabase) async throws {
        let time = Millis.from(instant)
        let eventID = UUID.timeOrdered(at: instant)
        try await db.insert(into: "signal_events").columns("id", "organization_id", "signal_id", "kind", "occurred_at", "evidence")
            .values(
                SQLBind(eventID.text), SQLBind(organizationID.text), SQLBind(signal.id.text), SQLBind(kind), SQLBind(time),
                SQLBind(JSONText.encode(signal.evidence))
            ).run()
        let rule = map.signals[signal.rule]
        var data: [String: String?] = [
            "signal": signal.id.text, "rule": signal.rule, "subject": signal.subject,
            "account_id": signal.accountID?.text, "group": signal.group, "status": signal.status.rawValue,
            "evidence": signal.evidence.joined(separator: ","),
        ]
        if let notify = rule?.actions.notify { data["notify"] = notify }
        if let task = rule?.actions.crmTask { data["crm_task"] = task }
        let type = "relais.signal.\(kind)"
        let event = CloudEvent(
            id: eventID, organizationID: organizationID, type: type, subject: "signal/\(signal.rule)/\(signal.subject)",
            time: instant, sequence: kind == "opened" ? 1 : 2, data: data)
        try await RowInsert.run(
            "outbox", columns: TicketHistoryRows.outboxColumns,
            rows: [[eventID.text, organizationID.text, type, event.subject, kind == "opened" ? 1 : 2, JSONText.encode(event), time]], on: db)
    }

    /// Opens the follow-up task of a new signal for the account owner, and notes it on the signal.
    func openTask(for signalID: UUID, rule: SignalRule, account: Account, organizationID: UUID) async throws {
        guard let title = rule.actions.crmTask, let family = rule.actions.taskFamily, let definition = map.families[family] else { return }
        let draft = TicketDraft(
            family: family, title: "\(title): \(account.name)",
            description: "Raised by signal '\(rule.code)' on account \(account.name).",
            channel: definition.channels.contains("crm") ? "crm" : definition.channels.first ?? "api",
            openedBy: definition.openedBy.contains("automation") ? "automation" : definition.openedBy.first ?? "internal",
            assignee: account.owner, tags: ["signal", rule.code],
            links: definition.crm.permitted.contains(.account) ? [CRMLink(kind: .account, id: account.id)] : [])
        let (ticket, changes) = try TicketRules.open(
            draft, map: map, context: account.routingContext, id: UUID.timeOrdered(at: now()),
            organizationID: organizationID, now: now())
        let created = try await tickets.insert(ticket, prefix: definition.keyPrefix, changes: changes, actor: Self.actor, tier: account.tier)
        try await database.transaction { db in
            try await db.update("signals").set("task_ticket_key", to: created.ticket.key).where("id", .equal, signalID.text).run()
        }
    }

    /// Tickets created since `since`, of one account or of every account; with `filter`, only
    /// those that may match it (tags are narrowed on their stored JSON, then checked exactly).
    static func tickets(
        organizationID: UUID, accountID: UUID?, since: Date, matching filter: SignalRule.TicketFilter? = nil,
        on db: any SQLDatabase
    ) async throws -> [SignalTicket] {
        var select = db.select().columns(
            ["key", "account_id", "created_at", "tags"] + SignalRule.TicketFilter.readableFields.filter { $0 != "tags" }
        )
        .from("tickets").where("organization_id", .equal, organizationID.text).where("created_at", .greaterThanOrEqual, Millis.from(since))
        if let accountID {
            select = select.where("account_id", .equal, accountID.text)
        } else {
            select = select.where("account_id", .isNot, SQLLiteral.null)
        }
        for (field, values) in filter?.fields.sorted(by: { $0.key < $1.key }) ?? [] {
            if field == "tags" {
                select = select.where { group in
                    values.reduce(group) { group, tag in group.orWhere("tags", .like, "%\(JSONText.encode(tag))%") }
                }
            } else {
                select = select.where(field, .in, values)
            }
        }
        return try await select.all().map { row in
            var fields: [String: String] = [:]
            for field in SignalRule.TicketFilter.readableFields where field != "tags" {
                fields[field] = try row.decode(column: field, as: String?.self)
            }
            return SignalTicket(
                key: try row.decode(column: "key", as: String.self),
                accountID: try row.optionalUUID("account_id"),
                createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)), fields: fields,
                tags: try JSONText.decode([String].self, try row.decode(column: "tags", as: String.self)))
        }
    }

    static func openSignals(organizationID: UUID, accountID: UUID?, on db: any SQLDatabase) async throws -> [Signal] {
        var select = db.select().columns(columns.map { SQLColumn($0) }).from("signals")
            .where("organization_id", .equal, organizationID.text).where("status", .equal, "open")
        select = accountID.map { select.where("account_id", .equal, $0.text) } ?? select.where("account_id", .is, SQLLiteral.null)
        return try await select.all().map(decode)
    }

    /// Signals of an organisation, newest first, filtered by status and account.
    /// The newest signals; with `scope`, only those of accounts it reaches (by entity).
    public func list(
        organizationID: UUID, status: Signal.Status?, accountID: UUID?, scope: AccessScope = .everything, limit: Int = 200
    ) async throws -> [Signal] {
        try await database.read { db in
            var select = db.select().columns(Self.columns.map { SQLColumn($0) }).from("signals").where("organization_id", .equal, organizationID.text)
            if scope.entities != nil { select = select.where(AccessFilter.accountCondition(scope)) }
            if let status { select = select.where("status", .equal, status.rawValue) }
            if let accountID { select = select.where("account_id", .equal, accountID.text) }
            return try await select.orderBy("opened_at", .descending).orderBy("id", .descending).limit(limit).all().map(Self.decode)
        }
    }

    static func decode(_ row: any SQLRow) throws -> Signal {
        Signal(
            id: try row.uuid("id"),
            rule: try row.decode(column: "rule", as: String.self), subject: try row.decode(column: "subject", as: String.self),
            accountID: try row.optionalUUID("account_id"),
            group: try row.decode(column: "group_value", as: String?.self),
            status: Signal.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .closed,
            openedAt: Millis.date(try row.decode(column: "opened_at", as: Int.self)),
            closedAt: try row.decode(column: "closed_at", as: Int?.self).map(Millis.date),
            evidence: try JSONText.decode([String].self, try row.decode(column: "evidence", as: String.self)),
            taskKey: try row.decode(column: "task_ticket_key", as: String?.self))
    }

    /// Evaluates changed accounts until the task is cancelled, and sweeps every organisation hourly.
    public func run(
        every interval: Duration = .seconds(5), sweepEvery sweep: Duration = .seconds(3600),
        logger: Logger = Logger(label: "relais.signals")
    ) async {
        guard !map.signals.isEmpty else { return }
        var lastSweep = ContinuousClock.now - sweep
        while !_Concurrency.Task.isCancelled {
            do {
                if ContinuousClock.now - lastSweep >= sweep {
                    lastSweep = .now
                    let organizations = try await database.read { db in
                        try await db.select().column("id").from("organizations").all().map { try $0.decode(column: "id", as: String.self) }
                    }
                    for organization in organizations.compactMap(UUID.init(uuidString:)) { try await self.sweep(organizationID: organization) }
                }
                let pass = try await runOnce()
                if pass.accounts > 0 { continue }
            } catch {
                logger.warning("signals: \(error)")
            }
            try? await _Concurrency.Task.sleep(for: interval)
        }
    }
}

extension SignalService.Pass {
    mutating func add(_ other: Self) {
        accounts += other.accounts
        opened += other.opened
        closed += other.closed
        published += other.published
    }
}
