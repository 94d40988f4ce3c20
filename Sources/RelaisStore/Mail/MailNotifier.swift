import Foundation
import RelaisCore
import SQLKit

/// Mail to requesters about their tickets: reads new outbox events once, queues the notice each
/// calls for (`MailNotice`) as an outgoing row of `mail_messages`, and keeps the queue for a
/// sender. A notice threads like the conversation it belongs to (`In-Reply-To`, `References`, the
/// key in the subject), and its Message-ID is recorded so the requester's answer finds the ticket.
public struct MailNotifier: Sendable {
    public let map: ProcessMap
    public let database: RelaisDatabase
    public let settings: Settings
    let now: @Sendable () -> Date

    public struct Settings: Sendable {
        /// The sender when neither the ticket's mailbox nor one of its family is known.
        public var from: MailAddress?
        /// Events older than this when first read are history (a notifier turned on late does
        /// not mail every requester about the past).
        public var maxAge: TimeInterval = 3_600
        /// Seconds between tries of a message the relay did not take; then it fails.
        public var retryDelays: [TimeInterval] = [60, 300, 1_800, 7_200, 21_600, 43_200]
        /// How long a claimed message stays with the process sending it.
        public var lease: TimeInterval = 120

        public init(from: MailAddress? = nil) { self.from = from }
    }

    public init(map: ProcessMap, database: RelaisDatabase, settings: Settings = Settings(), now: @escaping @Sendable () -> Date = Date.init) {
        self.map = map
        self.database = database
        self.settings = settings
        self.now = { Millis.date(Millis.from(now())) }
    }

    /// What one pass over the outbox did.
    public struct Pass: Sendable, Equatable {
        public var read = 0
        public var queued = 0
        /// Notices not sent, by reason (no address, address failing, automatic message, no sender...).
        public var skipped: [String: Int] = [:]
    }

    /// Reads up to `limit` events not yet read and queues the mail they call for.
    @discardableResult
    public func queue(limit: Int = 200) async throws -> Pass {
        let instant = now()
        let events = try await database.read { db in
            try await db.raw(
                """
                SELECT id, organization_id, type, payload, created_at FROM outbox
                WHERE notified_at IS NULL ORDER BY created_at, id LIMIT \(bind: limit)
                """
            ).all()
        }
        guard !events.isEmpty else { return Pass() }
        var pass = Pass(read: events.count)
        var composed: [String: RowInsert.Row] = [:]  // by event id
        for event in events {
            let eventID = try event.decode(column: "id", as: String.self)
            let type = try event.decode(column: "type", as: String.self)
            guard type.hasPrefix("relais.ticket."),
                Millis.from(instant) - (try event.decode(column: "created_at", as: Int.self)) <= Int(settings.maxAge * 1000),
                let organizationID = UUID(uuidString: try event.decode(column: "organization_id", as: String.self)),
                let payload = try? JSONText.decode(CloudEvent.self, try event.decode(column: "payload", as: String.self)),
                let notice = MailNotice.of(type: type, data: payload.data)
            else { continue }
            switch try await compose(notice, event: payload, eventID: eventID, organizationID: organizationID, at: instant) {
            case let .success(row): composed[eventID] = row
            case let .failure(skip): pass.skipped[skip.reason, default: 0] += 1
            }
        }
        let rows = composed
        let ids = events.map { try? $0.decode(column: "id", as: String.self) }.compactMap { $0 }
        pass.queued = try await database.transaction { db in
            if database.kind == .postgres {
                // One process reads the outbox for mail at a time; the others find nothing to do.
                let row = try await db.raw("SELECT pg_try_advisory_xact_lock(7273012) AS taken").first()
                guard try row?.decode(column: "taken", as: Bool.self) == true else { return 0 }
            }
            let claimed = try await db.raw(
                """
                UPDATE outbox SET notified_at = \(bind: Millis.from(instant))
                WHERE notified_at IS NULL AND id IN (\(binds: ids)) RETURNING id
                """
            ).all().map { try $0.decode(column: "id", as: String.self) }
            let queued = claimed.compactMap { rows[$0] }
            try await RowInsert.run("mail_messages", columns: Self.outgoingColumns, rows: queued, ignoringConflicts: true, on: db)
            return queued.count
        }
        return pass
    }

    static let outgoingColumns = [
        "id", "organization_id", "direction", "channel", "message_id", "mailbox", "from_address", "from_name",
        "subject", "ticket_id", "outcome", "automatic", "size", "raw", "received_at", "recipients", "attempts",
        "next_attempt_at",
    ]

    struct Skip: Error { var reason: String }

    /// The outgoing row of a notice, or why there is none.
    func compose(
        _ notice: MailNotice, event: CloudEvent, eventID: String, organizationID: UUID, at instant: Date
    ) async throws -> Result<RowInsert.Row, Skip> {
        let tickets = TicketRepository(database: database)
        guard let ticket = try await tickets.find(organizationID: organizationID, key: event.subject) else {
            return .failure(Skip(reason: "ticket gone"))
        }
        let facts = try await database.read { db in try await Self.facts(of: ticket, comment: event.data["comment_id"] ?? nil, on: db) }
        guard let address = facts.recipient else { return .failure(Skip(reason: "no address")) }
        if facts.recipientFailing { return .failure(Skip(reason: "address failing")) }
        // An automatic message is never answered, nor is the robot that sent it told of its ticket later.
        if facts.openedByAutomaticMessage { return .failure(Skip(reason: "opened by an automatic message")) }
        // A brand's ticket is written to in the brand's name, language and, when its own mailbox
        // is not known, from the brand's first address.
        let brand = ticket.brand.flatMap { map.brands[$0] }
        let senderName = brand?.name ?? map.organization.name
        guard
            let from = (facts.mailbox ?? brand?.mail.first).map({ MailAddress(address: $0, name: senderName) })
                ?? map.mailboxes.values.filter({ $0.family == ticket.family }).map(\.address).sorted().first.map({
                    MailAddress(address: $0, name: senderName)
                })
                ?? settings.from
        else { return .failure(Skip(reason: "no sender address")) }
        if address.address == from.address { return .failure(Skip(reason: "recipient is the mailbox")) }
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "relais.invalid"
        let messageID = "relais.\(eventID)@\(domain)"
        let content = MailNotice.Content(
            requesterName: address.name, key: ticket.key, title: ticket.title, organization: senderName,
            comment: facts.comment?.body, author: facts.comment?.author, resolution: ticket.resolutionNote,
            language: brand?.language ?? "en")
        let mail = OutgoingMail(
            from: from, to: [address], subject: notice.subject(key: ticket.key, title: ticket.title), body: notice.body(content),
            messageID: messageID, inReplyTo: facts.lastReceived, references: Array(facts.thread.suffix(20)), autoSubmitted: notice.autoSubmitted,
            date: instant, extraHeaders: [("X-Relais-Ticket", ticket.key), ("X-Relais-Notice", notice.rawValue)])
        if let problem = mail.problem { return .failure(Skip(reason: problem)) }
        let raw = mail.rendered()
        return .success([
            UUID.timeOrdered(at: instant).text, organizationID.text, "out", "email", messageID, from.address, from.address, from.name,
            String(mail.subject.prefix(500)), ticket.id.text, "queued", notice.autoSubmitted, raw.count,
            Data(raw).base64EncodedString(), Millis.from(instant), address.address, 0, Millis.from(instant),
        ])
    }

    /// What a notice needs to know beyond the ticket.
    struct Facts {
        var recipient: MailAddress?
        var recipientFailing = false
        var openedByAutomaticMessage = false
        /// The mailbox the ticket's mail came in by.
        var mailbox: String?
        /// Message-IDs of the ticket's mail, both ways, oldest first.
        var thread: [String] = []
        var lastReceived: String?
        var comment: TicketComment?
    }

    static func facts(of ticket: Ticket, comment commentID: String?, on db: any SQLDatabase) async throws -> Facts {
        var facts = Facts()
        let organization = ticket.organizationID.text
        if let contactID = ticket.links.first(where: { $0.kind == .contact })?.id,
            let row = try await db.select().columns("name", "email", "email_failing_at").from("contacts")
                .where("organization_id", .equal, organization).where("id", .equal, contactID.text).first(),
            let email = try row.decode(column: "email", as: String?.self), !email.isEmpty
        {
            facts.recipient = MailAddress(address: email, name: try row.decode(column: "name", as: String?.self))
            facts.recipientFailing = try row.decode(column: "email_failing_at", as: Int?.self) != nil
        } else if let requester = ticket.requesterID,
            let row = try await db.select().columns("name", "email").from("users")
                .where("organization_id", .equal, organization).where("id", .equal, requester.text).first(),
            let email = try row.decode(column: "email", as: String?.self), !email.isEmpty
        {
            facts.recipient = MailAddress(address: email, name: try row.decode(column: "name", as: String?.self))
        }
        let messages = try await db.select().columns("direction", "message_id", "mailbox", "automatic", "outcome").from("mail_messages")
            .where("ticket_id", .equal, ticket.id.text).where("channel", .equal, "email")
            .orderBy("received_at").orderBy("id").all()
        for message in messages {
            let direction = try message.decode(column: "direction", as: String.self)
            if let id = try message.decode(column: "message_id", as: String?.self) {
                facts.thread.append(id)
                if direction == "in" { facts.lastReceived = id }
            }
            if direction == "in", facts.mailbox == nil { facts.mailbox = try message.decode(column: "mailbox", as: String?.self) }
            if direction == "in", try message.decode(column: "outcome", as: String.self) == "opened" {
                facts.openedByAutomaticMessage = try message.decode(column: "automatic", as: String?.self) != nil
            }
        }
        if let commentID,
            let row = try await db.select().columns("author", "body", "is_public", "channel", "created_at").from("ticket_comments")
                .where("id", .equal, commentID).where("ticket_id", .equal, ticket.id.text).first()
        {
            facts.comment = TicketComment(
                id: commentID, author: try row.decode(column: "author", as: String.self),
                body: try row.decode(column: "body", as: String.self), isPublic: true,
                channel: try row.decode(column: "channel", as: String?.self),
                createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)))
        }
        return facts
    }

    // MARK: Sending

    /// An outgoing message handed to a sender.
    public struct Claimed: Sendable, Equatable {
        public var id: String
        public var organizationID: UUID
        public var from: String
        public var recipients: [String]
        public var raw: [UInt8]
        public var attempts: Int
    }

    /// Takes up to `limit` queued messages that are due, for `settings.lease` seconds.
    public func claim(limit: Int = 20) async throws -> [Claimed] {
        let instant = Millis.from(now())
        return try await database.transaction { db in
            let lock = database.kind == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let rows = try await db.raw(
                """
                SELECT id, organization_id, from_address, recipients, raw, attempts FROM mail_messages
                WHERE outcome = 'queued' AND next_attempt_at <= \(bind: instant)
                ORDER BY next_attempt_at, id LIMIT \(bind: limit)\(unsafeRaw: lock)
                """
            ).all()
            let claimed = try rows.map { row in
                Claimed(
                    id: try row.decode(column: "id", as: String.self),
                    organizationID: try row.uuid("organization_id"),
                    from: try row.decode(column: "from_address", as: String?.self) ?? "",
                    recipients: (try row.decode(column: "recipients", as: String?.self) ?? "").split(separator: ",").map(String.init),
                    raw: Array(Data(base64Encoded: try row.decode(column: "raw", as: String?.self) ?? "") ?? Data()),
                    attempts: try row.decode(column: "attempts", as: Int.self))
            }
            if !claimed.isEmpty {
                try await db.update("mail_messages").set("next_attempt_at", to: instant + Int(settings.lease * 1000))
                    .where("id", .in, claimed.map(\.id)).run()
            }
            return claimed
        }
    }

    /// How a try ended.
    public enum Attempt: Sendable, Equatable {
        case sent
        /// The relay may take it later (a 4xx answer, no connection).
        case transient(String)
        /// The relay refused it for good (a 5xx answer); `recipients` were refused one by one.
        case permanent(String, recipients: [String])
    }

    /// Records a try: sent, retried later, or failed (after the last delay, or at once when the
    /// relay refused it for good; refused addresses are marked failing on their contacts).
    public func record(_ message: Claimed, _ result: Attempt) async throws {
        let instant = now()
        let time = Millis.from(instant)
        try await database.transaction { db in
            switch result {
            case .sent:
                try await db.update("mail_messages").set("outcome", to: "sent").set("attempts", to: message.attempts + 1)
                    .set("next_attempt_at", to: nil as Int?).set("last_error", to: nil as String?).set("received_at", to: time)
                    .where("id", .equal, message.id).run()
            case let .transient(error) where message.attempts < settings.retryDelays.count:
                try await db.update("mail_messages").set("attempts", to: message.attempts + 1)
                    .set("next_attempt_at", to: time + Int(settings.retryDelays[message.attempts] * 1000))
                    .set("last_error", to: String(error.prefix(500))).where("id", .equal, message.id).run()
            case let .transient(error), let .permanent(error, _):
                try await db.update("mail_messages").set("outcome", to: "failed").set("attempts", to: message.attempts + 1)
                    .set("next_attempt_at", to: nil as Int?).set("last_error", to: String(error.prefix(500)))
                    .where("id", .equal, message.id).run()
                if case let .permanent(_, refused) = result {
                    try await MailIntake.markFailing(refused, reason: error, organizationID: message.organizationID, at: instant, on: db)
                }
            }
        }
    }

    /// An outgoing message as stored.
    public struct Outgoing: Sendable, Equatable {
        public var id: String
        public var messageID: String?
        public var ticketKey: String?
        public var recipients: [String]
        public var subject: String
        /// `auto-replied` or `auto-generated` for automatic notices, nil for an agent's reply.
        public var autoSubmitted: String?
        public var outcome: String
        public var attempts: Int
        public var lastError: String?
        public var at: Date
    }

    /// Outgoing mail, newest first; of one ticket when `ticketKey` is given.
    public static func outgoing(
        in database: RelaisDatabase, organizationID: UUID, ticketKey: String? = nil, limit: Int = 100
    ) async throws -> [Outgoing] {
        try await database.read { db in
            var select = db.select()
                .columns(
                    SQLColumn("id", table: "m"), SQLColumn("message_id", table: "m"), SQLColumn("key", table: "t"),
                    SQLColumn("recipients", table: "m"), SQLColumn("subject", table: "m"), SQLColumn("automatic", table: "m"),
                    SQLColumn("outcome", table: "m"), SQLColumn("attempts", table: "m"), SQLColumn("last_error", table: "m"),
                    SQLColumn("received_at", table: "m")
                )
                .from(SQLAlias(SQLIdentifier("mail_messages"), as: SQLIdentifier("m")))
                .join(
                    SQLAlias(SQLIdentifier("tickets"), as: SQLIdentifier("t")), method: SQLJoinMethod.left,
                    on: SQLColumn("ticket_id", table: "m"), .equal, SQLColumn("id", table: "t")
                )
                .where(SQLColumn("organization_id", table: "m"), .equal, SQLBind(organizationID.text))
                .where(SQLColumn("direction", table: "m"), .equal, SQLBind("out"))
            if let ticketKey { select = select.where(SQLColumn("key", table: "t"), .equal, SQLBind(ticketKey)) }
            return try await select.orderBy(SQLColumn("received_at", table: "m"), SQLDirection.descending).limit(limit).all().map { row in
                Outgoing(
                    id: try row.decode(column: "id", as: String.self), messageID: try row.decode(column: "message_id", as: String?.self),
                    ticketKey: try row.decode(column: "key", as: String?.self),
                    recipients: (try row.decode(column: "recipients", as: String?.self) ?? "").split(separator: ",").map(String.init),
                    subject: try row.decode(column: "subject", as: String?.self) ?? "",
                    autoSubmitted: try row.decode(column: "automatic", as: String?.self),
                    outcome: try row.decode(column: "outcome", as: String.self), attempts: try row.decode(column: "attempts", as: Int.self),
                    lastError: try row.decode(column: "last_error", as: String?.self),
                    at: Millis.date(try row.decode(column: "received_at", as: Int.self)))
            }
        }
    }
}
