import Foundation
import RelaisCore
import SQLKit

/// Turns received mail into tickets and comments. Nothing is lost: a message is recorded before
/// it is acted on, one that cannot be read or placed is kept whole in a quarantine, and the same
/// message received twice (by Message-ID) is handled once.
public struct MailIntake: Sendable {
    public let map: ProcessMap
    public let database: RelaisDatabase
    let tickets: TicketService
    let crm: CRMRepository
    let now: @Sendable () -> Date

    public init(map: ProcessMap, database: RelaisDatabase, tickets: TicketService, now: @escaping @Sendable () -> Date = Date.init) {
        self.map = map
        self.database = database
        self.tickets = tickets
        self.crm = CRMRepository(database: database)
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
            .quarantined(try await quarantine(raw, recipients: recipients, reason: reason, organizationID: organizationID, entry: entry, at: time), reason)
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

        // Recorded first: a message received again resumes where an earlier try stopped, and
        // one that was handled is not handled twice.
        let recorded = try await record(message, raw: raw, automatic: automatic, organizationID: organizationID, at: time)
        let mailID = recorded.id
        if recorded.outcome != "received" {
            guard let ticketID = recorded.ticketID else { return .duplicate(nil) }
            return .duplicate(try await tickets.tickets.find(organizationID: organizationID, id: ticketID)?.key)
        }

        if MailRules.isBounce(message) {
            try await markFailing(message.failedRecipients, reason: message.subject, organizationID: organizationID, at: time)
            try await finish(mailID, outcome: "bounce", ticketID: nil)
            return .bounce(message.failedRecipients)
        }

        let author = MailRules.author(sender)
        if let ticket = try await thread(message, sender: sender, organizationID: organizationID) {
            let text = MailRules.replyText(message)
            let attachments = message.attachments
            // The comment, its attachments and the message's outcome are written together.
            let ticketID = ticket.id
            let updated = try await tickets.channelReply(to: ticket, body: text, author: author, isPublic: automatic == nil, channel: "email") { db in
                try await Self.storeAttachments(attachments, mailID: mailID, ticketID: ticketID, organizationID: organizationID, at: time, on: db)
                try await Self.finish(mailID, outcome: "commented", ticketID: ticketID, on: db)
            }
            return .commented(updated.key)
        }

        let addresses = recipients.map { $0.lowercased() } + message.to.map(\.address) + message.cc.map(\.address)
        guard let mailbox = map.mailbox(for: addresses) else {
            try await forget(mailID)
            return try await hold("no mailbox of the map among the recipients (\(Set(addresses).sorted().joined(separator: ", ")))")
        }
        guard let family = map.families[mailbox.family] else { return try await hold("mailbox family '\(mailbox.family)' is not in the map") }
        let contact = try await crm.contact(organizationID: organizationID, email: sender.address, name: sender.name, now: time)
        let draft: TicketDraft
        do {
            draft = try MailRules.draft(for: message, mailbox: mailbox, family: family, accountID: contact.accountID, contactID: contact.id,
                                        automatic: automatic != nil)
        } catch {
            try await forget(mailID)
            return try await hold(error.reason)
        }
        let principal = Principal(userID: UUID(), organizationID: organizationID, name: author, role: .agent)
        let created: TicketRepository.Creation
        do {
            created = try await tickets.open(draft, by: principal)
        } catch let error as TicketError {
            try await forget(mailID)
            return try await hold("the ticket could not be opened: \(error)")
        }
        let attachments = message.attachments
        try await database.transaction { db in
            try await Self.storeAttachments(attachments, mailID: mailID, ticketID: created.ticket.id, organizationID: organizationID, at: time, on: db)
            try await Self.finish(mailID, outcome: "opened", ticketID: created.ticket.id, mailbox: mailbox.address, on: db)
        }
        return .opened(created.ticket.key)
    }

    // MARK: Threading

    /// The ticket a reply belongs to: by the ids it answers (`In-Reply-To`, then `References`),
    /// then by a key in brackets in its subject when the sender belongs to the ticket's account.
    func thread(_ message: MailMessage, sender: MailAddress, organizationID: UUID) async throws -> Ticket? {
        let ids = message.inReplyTo + message.references.reversed()
        if !ids.isEmpty {
            let row = try await database.read { db in
                try await db.select().column("ticket_id").from("mail_messages")
                    .where("organization_id", .equal, organizationID.text).where("channel", .equal, "email")
                    .where("message_id", .in, SQLBind.group(Array(ids.prefix(50)))).where("ticket_id", .isNot, SQLLiteral.null).first()
            }
            if let ticketID = try row?.decode(column: "ticket_id", as: String?.self),
               let ticket = try await tickets.tickets.find(organizationID: organizationID, id: ticketID) {
                return ticket
            }
        }
        let prefixes = Set(map.families.values.map { $0.keyPrefix.uppercased() })
        guard let key = MailRules.ticketKey(inSubject: message.subject, prefixes: prefixes),
              let ticket = try await tickets.tickets.find(organizationID: organizationID, key: key) else { return nil }
        var senderAccounts: [UUID] = []
        if let account = try await crm.contact(organizationID: organizationID, email: sender.address)?.accountID { senderAccounts.append(account) }
        if let account = try await crm.account(organizationID: organizationID, forEmail: sender.address) { senderAccounts.append(account.id) }
        let ticketAccounts = ticket.links.filter { $0.kind == .account }.map(\.id)
        return MailRules.mayThreadByKey(ticketAccounts: ticketAccounts, senderAccounts: senderAccounts) ? ticket : nil
    }

    // MARK: Records

    /// A message's row: `outcome` is `received` until it reached a ticket or a bounce.
    struct Recorded: Sendable {
        var id: String
        var ticketID: String?
        var outcome: String
    }

    /// Records the message, or finds it already recorded under its Message-ID.
    func record(_ message: MailMessage, raw: [UInt8], automatic: String?, organizationID: UUID, at time: Date) async throws -> Recorded {
        try await database.transaction { db in
            if let messageID = message.messageID,
               let row = try await db.select().columns("id", "ticket_id", "outcome").from("mail_messages")
                .where("organization_id", .equal, organizationID.text).where("channel", .equal, "email")
                .where("message_id", .equal, messageID).first() {
                return Recorded(id: try row.decode(column: "id", as: String.self), ticketID: try row.decode(column: "ticket_id", as: String?.self),
                                outcome: try row.decode(column: "outcome", as: String.self))
            }
            let id = UUID.timeOrdered(at: time).text
            try await RowInsert.run(
                "mail_messages",
                columns: ["id", "organization_id", "direction", "channel", "message_id", "from_address", "from_name", "subject",
                          "outcome", "automatic", "size", "raw", "received_at"],
                rows: [[id, organizationID.text, "in", "email", message.messageID, message.from?.address, message.from?.name,
                        String(message.subject.prefix(500)), "received", automatic, raw.count, Data(raw).base64EncodedString(), Millis.from(time)]],
                on: db)
            return Recorded(id: id, ticketID: nil, outcome: "received")
        }
    }

    func finish(_ mailID: String, outcome: String, ticketID: UUID?) async throws {
        try await database.transaction { db in try await Self.finish(mailID, outcome: outcome, ticketID: ticketID, on: db) }
    }

    static func finish(_ mailID: String, outcome: String, ticketID: UUID?, mailbox: String? = nil, on db: any SQLDatabase) async throws {
        var update = db.update("mail_messages").set("outcome", to: outcome).set("ticket_id", to: ticketID?.text)
        if let mailbox { update = update.set("mailbox", to: mailbox) }
        try await update.where("id", .equal, mailID).run()
    }

    /// Removes the record of a message that goes to the quarantine instead (which keeps it whole).
    func forget(_ mailID: String) async throws {
        try await database.transaction { db in try await db.delete(from: "mail_messages").where("id", .equal, mailID).run() }
    }

    static func storeAttachments(_ attachments: [MailAttachment], mailID: String, ticketID: UUID, organizationID: UUID, at time: Date,
                                 on db: any SQLDatabase) async throws {
        guard !attachments.isEmpty else { return }
        do {
            try await RowInsert.run(
                "mail_attachments",
                columns: ["id", "organization_id", "mail_id", "ticket_id", "filename", "content_type", "size", "content", "created_at"],
                rows: attachments.map { attachment in
                    [UUID.timeOrdered(at: time).text, organizationID.text, mailID, ticketID.text, String(attachment.filename.prefix(255)),
                     attachment.contentType, attachment.content.count, Data(attachment.content).base64EncodedString(), Millis.from(time)]
                }, on: db)
        }
    }

    func markFailing(_ addresses: [String], reason: String, organizationID: UUID, at time: Date) async throws {
        guard !addresses.isEmpty else { return }
        try await database.transaction { db in
            try await db.update("contacts").set("email_failing_at", to: Millis.from(time)).set("email_failure", to: String(reason.prefix(500)))
                .where("organization_id", .equal, organizationID.text).where("email", .in, SQLBind.group(addresses.map { $0.lowercased() })).run()
        }
    }

    /// Keeps the raw message aside (or updates the entry being retried) and returns the entry's id.
    func quarantine(_ raw: [UInt8], recipients: [String], reason: String, organizationID: UUID, entry: UUID?, channel: String = "email",
                    at time: Date) async throws -> UUID {
        try await database.transaction { db in
            if let entry {
                try await db.raw("""
                    UPDATE mail_quarantine SET reason = \(bind: reason), attempts = attempts + 1
                    WHERE organization_id = \(bind: organizationID.text) AND id = \(bind: entry.text)
                    """).run()
                return entry
            }
            let id = UUID.timeOrdered(at: time)
            try await RowInsert.run(
                "mail_quarantine",
                columns: ["id", "organization_id", "channel", "recipients", "reason", "raw", "size", "status", "attempts", "received_at"],
                rows: [[id.text, organizationID.text, channel, recipients.joined(separator: ","), String(reason.prefix(1_000)),
                        Data(raw).base64EncodedString(), raw.count, "held", 1, Millis.from(time)]], on: db)
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

    public func quarantined(organizationID: UUID, status: String? = "held", limit: Int, before cursor: UUID?) async throws -> [QuarantineEntry] {
        try await Self.quarantined(in: database, organizationID: organizationID, status: status, limit: limit, before: cursor)
    }

    /// The quarantine of an organisation, newest first: needs neither the map nor the tickets.
    public static func quarantined(in database: RelaisDatabase, organizationID: UUID, status: String? = "held", limit: Int,
                                   before cursor: UUID?) async throws -> [QuarantineEntry] {
        let rows = try await database.read { db in
            var select = db.select()
                .columns(["id", "channel", "recipients", "reason", "size", "status", "attempts", "received_at", "released_at"]
                    .map { SQLColumn($0, table: "q") })
                .column(SQLColumn("key", table: "t"))
                .from(SQLAlias(SQLIdentifier("mail_quarantine"), as: SQLIdentifier("q")))
                .join(SQLAlias(SQLIdentifier("tickets"), as: SQLIdentifier("t")), method: SQLJoinMethod.left,
                      on: SQLBinaryExpression(SQLColumn("id", table: "t"), .equal, SQLColumn("ticket_id", table: "q")))
                .where(SQLColumn("organization_id", table: "q"), .equal, SQLBind(organizationID.text))
            if let status { select = select.where(SQLColumn("status", table: "q"), .equal, SQLBind(status)) }
            if let cursor { select = select.where(SQLColumn("id", table: "q"), .lessThan, SQLBind(cursor.text)) }
            return try await select.orderBy(SQLColumn("id", table: "q"), SQLDirection.descending).limit(limit).all()
        }
        return try rows.map { row in
            QuarantineEntry(
                id: try row.uuid("id"), channel: try row.decode(column: "channel", as: String.self),
                recipients: try row.decode(column: "recipients", as: String.self).split(separator: ",").map(String.init),
                reason: try row.decode(column: "reason", as: String.self), size: try row.decode(column: "size", as: Int.self),
                status: try row.decode(column: "status", as: String.self), attempts: try row.decode(column: "attempts", as: Int.self),
                receivedAt: Millis.date(try row.decode(column: "received_at", as: Int.self)),
                releasedAt: try row.decode(column: "released_at", as: Int?.self).map(Millis.date),
                ticketKey: try row.decode(column: "key", as: String?.self))
        }
    }

    /// Runs a held message (mail, or a message of another channel) through intake again (after the map, an account's domain or the
    /// parser changed); released when it now reaches a ticket, a bounce or a duplicate.
    public func retry(_ id: UUID, organizationID: UUID) async throws -> Outcome {
        guard let row = try await database.read({ db in
            try await db.select().columns("raw", "recipients", "status", "channel").from("mail_quarantine")
                .where("organization_id", .equal, organizationID.text).where("id", .equal, id.text).first()
        }) else { throw StoreError.notFound(what: "quarantined message", id: id.text) }
        guard try row.decode(column: "status", as: String.self) == "held" else {
            throw StoreError.inUse(what: "quarantined message \(id.text)", reason: "it was already released")
        }
        let raw = Array(Data(base64Encoded: try row.decode(column: "raw", as: String.self)) ?? Data())
        let recipients = try row.decode(column: "recipients", as: String.self).split(separator: ",").map(String.init)
        let channel = try row.decode(column: "channel", as: String.self)
        let outcome = channel == "email"
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
