import Foundation
import RelaisCore
import SQLKit

/// Turns received mail into tickets and comments. Nothing is lost: a message is recorded in the
/// same transaction as what it produced (so before the sender is told it was taken), one that
/// cannot be read or placed is kept whole in a quarantine, and the same message received twice
/// (by Message-ID), even at once, is handled once.
public struct MailIntake: Sendable {
    public let map: ProcessMap
    public let database: RelaisDatabase
    let tickets: TicketService
    let crm: CRMRepository
    /// The map's ticket key prefixes, which a subject may name (`[SUP-42]`).
    let keyPrefixes: Set<String>
    let now: @Sendable () -> Date

    public init(map: ProcessMap, database: RelaisDatabase, tickets: TicketService, now: @escaping @Sendable () -> Date = Date.init) {
        self.map = map
        self.database = database
        self.tickets = tickets
        self.crm = CRMRepository(database: database)
        self.keyPrefixes = Set(map.families.values.map { $0.keyPrefix.uppercased() })
        self.now = { Millis.date(Millis.from(now())) }
    }

    /// What became of a message.
    public enum Outcome: Sendable, Equatable {
        /// A new ticket, with its key.
        case opened(String)
        /// A comment on the ticket it replies to.
        case commented(String)
        /// A delivery failure report; the failed addresses are marked on their contacts.
        case bounce([String])
        /// Already received (same Message-ID); the ticket it went to, if any.
        case duplicate(String?)
        /// Kept aside, with the quarantine entry's id and why.
        case quarantined(UUID, String)
    }

    /// Largest message taken, in bytes; a bigger one is quarantined unread.
    public static let maxSize = 25 << 20

    /// Handles one raw message. `recipients` are the envelope's (`RCPT TO`), when known; the
    /// message's own `To` and `Cc` are read too. Throws only when the database fails.
    public func receive(_ raw: [UInt8], recipients: [String] = [], organizationID: UUID, quarantined entry: UUID? = nil) async throws -> Outcome {
        let time = now()
        func hold(_ reason: String) async throws -> Outcome {
            .quarantined(
                try await quarantine(raw, recipients: recipients, reason: reason, organizationID: organizationID, entry: entry, at: time), reason)
        }
        guard raw.count <= Self.maxSize else { return try await hold("larger than \(Self.maxSize >> 20) MiB") }
        let message: MailMessage
        do {
            message = try MIMEParser.parse(raw)
        } catch let error as MailParseError {
            return try await hold("unreadable: \(error.reason)")
        }
        guard let sender = message.from else { return try await hold("no sender address in From") }
        let automatic = MailRules.automaticReason(message)

        // A message is recorded in the transaction that writes what it produced (its comment,
        // its ticket, its bounce): a crash leaves neither, and the sender, never told it was
        // taken, sends it again. Its Message-ID is unique, so one handled is not handled twice.
        // One read tells whether this message was handled and which ticket the ids it answers
        // reached. A message that answers nothing and names no ticket will open one: its sender's
        // contact is looked up meanwhile.
        let answered = message.inReplyTo + message.references.reversed()
        let opensTicket =
            answered.isEmpty && MailRules.ticketKey(inSubject: message.subject, prefixes: keyPrefixes) == nil
            && !MailRules.isBounce(message)
        let early =
            opensTicket
            ? Task { try await crm.intakeContact(organizationID: organizationID, email: sender.address, name: sender.name, now: time) } : nil
        let ids = try await recordedIDs([message.messageID].compactMap { $0 } + answered.prefix(50), channel: "email", organizationID: organizationID)
        if let messageID = message.messageID, let known = try await outcome(of: ids[messageID], organizationID: organizationID) {
            return known
        }
        // What is kept of the message, written with what it produced.
        func record(mailbox: String?, contact: Contact? = nil) -> IntakeRecord {
            IntakeRecord(
                id: UUID.timeOrdered(at: time).text, organizationID: organizationID, channel: "email", messageID: message.messageID,
                row: { id, ticketID, outcome in
                    [
                        id, organizationID.text, "in", "email", message.messageID, nil as String?, mailbox, message.from?.address, message.from?.name,
                        String(message.subject.prefix(500)), ticketID?.text, outcome, automatic, raw.count, Data(raw).base64EncodedString(),
                        Millis.from(time),
                    ]
                },
                attachments: message.attachments, contact: contact, at: time)
        }

        if MailRules.isBounce(message) {
            let failed = message.failedRecipients, reason = message.subject
            do {
                let bounce = record(mailbox: nil)
                try await database.transaction { db in
                    try await Self.insertRecord(bounce.row(bounce.id, nil, "bounce"), on: db)
                    try await Self.markFailing(failed, reason: reason, organizationID: organizationID, at: time, on: db)
                }
            } catch is AlreadyRecorded {
                return try await recorded(message.messageID ?? "", channel: "email", organizationID: organizationID) ?? .duplicate(nil)
            }
            return .bounce(failed)
        }

        let author = MailRules.author(sender)
        let answeredTicket = answered.lazy.compactMap { ids[$0]?.ticketID }.first
        if let ticket = try await thread(message, answering: answeredTicket, sender: sender, organizationID: organizationID) {
            let text = MailRules.replyText(message)
            // The comment, the message's record and its attachments are written together.
            do {
                let updated = try await tickets.channelReply(
                    to: ticket, body: text, author: author, isPublic: automatic == nil, channel: "email",
                    record: record(mailbox: nil))
                return .commented(updated.key)
            } catch is AlreadyRecorded {
                return try await recorded(message.messageID ?? "", channel: "email", organizationID: organizationID) ?? .duplicate(nil)
            }
        }

        let addresses = recipients.map { $0.lowercased() } + message.to.map(\.address) + message.cc.map(\.address)
        guard let mailbox = map.mailbox(for: addresses) else {
            return try await hold("no mailbox of the map among the recipients (\(Set(addresses).sorted().joined(separator: ", ")))")
        }
        guard let family = map.families[mailbox.family] else { return try await hold("mailbox family '\(mailbox.family)' is not in the map") }
        // A new sender's contact is stored with the ticket, in its transaction.
        let sought =
            if let early { try await early.value } else {
                try await crm.intakeContact(organizationID: organizationID, email: sender.address, name: sender.name, now: time)
            }
        let (contact, account, newContact) = sought
        var draft: TicketDraft
        do {
            draft = try MailRules.draft(
                for: message, mailbox: mailbox, family: family, accountID: contact.accountID, contactID: contact.id,
                automatic: automatic != nil)
            // Mail to a brand's address is that brand's, and so of its legal entity.
            draft.brand = map.brand(forMail: [mailbox.address])?.code
        } catch {
            return try await hold(error.reason)
        }
        let principal = Principal(userID: UUID(), organizationID: organizationID, name: author, role: .agent)
        let created: TicketRepository.Creation
        do {
            // The ticket, the message's record and its attachments are written together.
            created = try await tickets.open(
                draft, by: principal, idempotency: Self.claim(message.messageID, channel: "email"),
                checkedLinks: draft.links.contains { $0.kind == .account } ? account?.routingContext ?? [:] : [:],
                record: record(mailbox: mailbox.address, contact: newContact ? contact : nil))
        } catch let error as TicketError {
            return try await hold("the ticket could not be opened: \(error)")
        }
        // The same message received twice at once: the other copy opened the ticket.
        return created.replayed ? .duplicate(created.ticket.key) : .opened(created.ticket.key)
    }

    /// Thrown inside a write when the message's record is already there (the same Message-ID
    /// handled by another connection at the same time): the write is undone.
    struct AlreadyRecorded: Error {}

    static let recordColumns = [
        "id", "organization_id", "direction", "channel", "message_id", "conversation", "mailbox", "from_address", "from_name", "subject",
        "ticket_id", "outcome", "automatic", "size", "raw", "received_at",
    ]

    /// Writes a received message's record alone (a bounce: no ticket comes of it) and returns its
    /// id; a record left by an earlier, unfinished try (outcome `received`) is taken over, a
    /// finished one throws `AlreadyRecorded`.
    @discardableResult
    static func insertRecord(_ row: RowInsert.Row, on db: any SQLDatabase) async throws -> String {
        var query = SQLQueryString("INSERT INTO mail_messages (\(unsafeRaw: recordColumns.joined(separator: ", "))) VALUES (")
        query.appendInterpolation(binds: row)
        query.appendLiteral(
            """
            ) ON CONFLICT (organization_id, channel, message_id) DO UPDATE SET ticket_id = excluded.ticket_id, outcome = excluded.outcome,
            mailbox = excluded.mailbox WHERE mail_messages.outcome = 'received' RETURNING id
            """)
        guard let id = try await db.raw(query).first(decodingColumn: "id", as: String.self) else { throw AlreadyRecorded() }
        return id
    }

    /// Who claims a message's id when it opens a ticket: the same message received twice at once
    /// (two connections of a mail server, two posts of a bridge) then opens one ticket.
    static let claimant = UUID(uuidString: "6d61696c-0000-4000-8000-000000000001")!

    static func claim(_ messageID: String?, channel: String) -> TicketRepository.IdempotencyClaim? {
        messageID.map { TicketRepository.IdempotencyClaim(userID: claimant, key: "\(channel):\($0)", requestHash: channel) }
    }

    /// What became of a message already handled, found by its id on the channel; nil when it is new.
    func recorded(_ messageID: String, channel: String, organizationID: UUID) async throws -> Outcome? {
        try await outcome(of: recordedIDs([messageID], channel: channel, organizationID: organizationID)[messageID], organizationID: organizationID)
    }

    /// A message's record as `recordedIDs` found it, told as a duplicate; nil when there is none
    /// or an earlier try left it unfinished.
    func outcome(of record: (outcome: String, ticketID: String?)?, organizationID: UUID) async throws -> Outcome? {
        guard let record, record.outcome != "received" else { return nil }
        return .duplicate(try await record.ticketID.asyncFlatMap { try await tickets.tickets.find(organizationID: organizationID, id: $0)?.key })
    }

    /// Messages of the channel already recorded under these ids: what became of each and its ticket.
    func recordedIDs(_ ids: [String], channel: String, organizationID: UUID) async throws -> [String: (outcome: String, ticketID: String?)] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await database.read { db in
            try await db.select().columns("message_id", "outcome", "ticket_id").from("mail_messages")
                .where("organization_id", .equal, organizationID.text).where("channel", .equal, channel)
                .where("message_id", .in, SQLBind.group(ids)).all()
        }
        return try rows.reduce(into: [:]) { found, row in
            found[try row.decode(column: "message_id", as: String.self)] =
                (try row.decode(column: "outcome", as: String.self), try row.decode(column: "ticket_id", as: String?.self))
        }
    }

    /// The ticket a reply belongs to: the one the ids it answers reached (`In-Reply-To`, then
    /// `References`, as `answering`), then by a key in brackets in its subject; either way only
    /// when the ticket knows the sender (`MailRules.mayThread`): ids travel in every copy of a
    /// thread and keys are easy to guess.
    func thread(_ message: MailMessage, answering ticketID: String?, sender: MailAddress, organizationID: UUID) async throws -> Ticket? {
        var found: Ticket?
        if let ticketID { found = try await tickets.tickets.find(organizationID: organizationID, id: ticketID) }
        if found == nil, let key = MailRules.ticketKey(inSubject: message.subject, prefixes: keyPrefixes) {
            found = try await tickets.tickets.find(organizationID: organizationID, key: key)
        }
        guard let ticket = found else { return nil }
        let contact = try await crm.contact(organizationID: organizationID, email: sender.address)
        var senderAccounts: [UUID] = []
        if let account = contact?.accountID { senderAccounts.append(account) }
        if let account = try await crm.account(organizationID: organizationID, forEmail: sender.address) { senderAccounts.append(account.id) }
        let known = MailRules.mayThread(
            ticketAccounts: ticket.links.filter { $0.kind == .account }.map(\.id),
            ticketContacts: ticket.links.filter { $0.kind == .contact }.map(\.id),
            senderAccounts: senderAccounts, senderContact: contact?.id)
        return known ? ticket : nil
    }

    // MARK: Records

    static func markFailing(_ addresses: [String], reason: String, organizationID: UUID, at time: Date, on db: any SQLDatabase) async throws {
        guard !addresses.isEmpty else { return }
        try await db.update("contacts").set("email_failing_at", to: Millis.from(time)).set("email_failure", to: String(reason.prefix(500)))
            .where("organization_id", .equal, organizationID.text).where("email", .in, SQLBind.group(addresses.map { $0.lowercased() })).run()
    }

    /// Keeps the raw message aside (or updates the entry being retried) and returns the entry's id.
    func quarantine(
        _ raw: [UInt8], recipients: [String], reason: String, organizationID: UUID, entry: UUID?, channel: String = "email",
        at time: Date
    ) async throws -> UUID {
        try await database.transaction { db in
            if let entry {
                try await db.raw(
                    """
                    UPDATE mail_quarantine SET reason = \(bind: reason), attempts = attempts + 1
                    WHERE organization_id = \(bind: organizationID.text) AND id = \(bind: entry.text)
                    """
                ).run()
                return entry
            }
            let id = UUID.timeOrdered(at: time)
            try await RowInsert.run(
                "mail_quarantine",
                columns: ["id", "organization_id", "channel", "recipients", "reason", "raw", "size", "status", "attempts", "received_at"],
                rows: [
                    [
                        id.text, organizationID.text, channel, recipients.joined(separator: ","), String(reason.prefix(1_000)),
                        Data(raw).base64EncodedString(), raw.count, "held", 1, Millis.from(time),
                    ]
                ], on: db)
            return id
        }
    }

    // MARK: Quarantine

    /// A message kept aside.
    public struct QuarantineEntry: Sendable, Equatable {
        public var id: UUID
        public var channel: String
        public var recipients: [String]
        public var reason: String
        public var size: Int
        public var status: String
        public var attempts: Int
        public var receivedAt: Date
        public var releasedAt: Date?
        public var ticketKey: String?
    }

    public func quarantined(organizationID: UUID, status: String? = "held", limit: Int, before cursor: UUID?) async throws -> Page<QuarantineEntry> {
        try await Self.quarantined(in: database, organizationID: organizationID, status: status, limit: limit, before: cursor)
    }

    /// The quarantine of an organisation, newest first: needs neither the map nor the tickets.
    public static func quarantined(
        in database: RelaisDatabase, organizationID: UUID, status: String? = "held", limit: Int,
        before cursor: UUID?
    ) async throws -> Page<QuarantineEntry> {
        let rows = try await database.read { db in
            var select = db.select()
                .columns(
                    ["id", "channel", "recipients", "reason", "size", "status", "attempts", "received_at", "released_at"]
                        .map { SQLColumn($0, table: "q") }
                )
                .column(SQLColumn("key", table: "t"))
                .from(SQLAlias(SQLIdentifier("mail_quarantine"), as: SQLIdentifier("q")))
                .join(
                    SQLAlias(SQLIdentifier("tickets"), as: SQLIdentifier("t")), method: SQLJoinMethod.left,
                    on: SQLBinaryExpression(SQLColumn("id", table: "t"), .equal, SQLColumn("ticket_id", table: "q"))
                )
                .where(SQLColumn("organization_id", table: "q"), .equal, SQLBind(organizationID.text))
            if let status { select = select.where(SQLColumn("status", table: "q"), .equal, SQLBind(status)) }
            if let cursor { select = select.where(SQLColumn("id", table: "q"), .lessThan, SQLBind(cursor.text)) }
            return try await select.orderBy(SQLColumn("id", table: "q"), SQLDirection.descending).limit(limit + 1).all()
        }
        let entries = try rows.map { row in
            QuarantineEntry(
                id: try row.uuid("id"), channel: try row.decode(column: "channel", as: String.self),
                recipients: try row.decode(column: "recipients", as: String.self).split(separator: ",").map(String.init),
                reason: try row.decode(column: "reason", as: String.self), size: try row.decode(column: "size", as: Int.self),
                status: try row.decode(column: "status", as: String.self), attempts: try row.decode(column: "attempts", as: Int.self),
                receivedAt: Millis.date(try row.decode(column: "received_at", as: Int.self)),
                releasedAt: try row.decode(column: "released_at", as: Int?.self).map(Millis.date),
                ticketKey: try row.decode(column: "key", as: String?.self))
        }
        return Page(fetched: entries, limit: limit) { PageCursor(value: 0, id: $0.id.text) }
    }

    /// Runs a held message (mail, or a message of another channel) through intake again (after the map, an account's domain or the
    /// parser changed); released when it now reaches a ticket, a bounce or a duplicate.
    public func retry(_ id: UUID, organizationID: UUID) async throws -> Outcome {
        guard
            let row = try await database.read({ db in
                try await db.select().columns("raw", "recipients", "status", "channel").from("mail_quarantine")
                    .where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).first()
            })
        else { throw StoreError.notFound(what: "quarantined message", id: id.text) }
        guard try row.decode(column: "status", as: String.self) == "held" else {
            throw StoreError.inUse(what: "quarantined message \(id.text)", reason: "it was already released")
        }
        let raw = Array(Data(base64Encoded: try row.decode(column: "raw", as: String.self)) ?? Data())
        let recipients = try row.decode(column: "recipients", as: String.self).split(separator: ",").map(String.init)
        let channel = try row.decode(column: "channel", as: String.self)
        let outcome =
            channel == "email"
            ? try await receive(raw, recipients: recipients, organizationID: organizationID, quarantined: id)
            : try await ChannelIntake(mail: self).receive(channel: channel, body: raw, organizationID: organizationID, quarantined: id)
        if case .quarantined = outcome { return outcome }
        var ticketID: String?
        switch outcome {
        case let .opened(key), let .commented(key): ticketID = try await tickets.tickets.find(organizationID: organizationID, key: key)?.id.text
        default: break
        }
        let released = ticketID
        try await database.transaction { db in
            try await db.update("mail_quarantine").set("status", to: "released").set("released_at", to: Millis.from(now()))
                .set("ticket_id", to: released).where("id", .equal, id.text).run()
        }
        return outcome
    }
}
