import Foundation
import RelaisCore
import SQLKit

/// Takes messages from chat widgets, social network bridges and telephony systems under the same
/// rules as mail: recorded with what it produced, the same message id handled once, automatic
/// messages never answered, what cannot be read or placed kept whole in the quarantine. A
/// conversation id threads its messages onto one ticket until that ticket is closed.
public struct ChannelIntake: Sendable {
    let mail: MailIntake

    public init(mail: MailIntake) { self.mail = mail }

    var map: ProcessMap { mail.map }
    var database: RelaisDatabase { mail.database }

    /// Handles one raw message body posted to `channel` (or held in the quarantine): what cannot
    /// be read is quarantined. Throws only when the database fails.
    public func receive(channel: String, body: [UInt8], organizationID: UUID, quarantined entry: UUID? = nil) async throws -> MailIntake.Outcome {
        let hold = { (reason: String) async throws -> MailIntake.Outcome in
            .quarantined(
                try await mail.quarantine(
                    body, recipients: [], reason: reason, organizationID: organizationID, entry: entry,
                    channel: channel, at: mail.now()), reason)
        }
        guard body.count <= Self.maxSize else { return try await hold("larger than \(Self.maxSize >> 10) KiB") }
        do {
            return try await receive(
                channel: channel, message: try ChannelRules.parse(body), body: body, organizationID: organizationID, quarantined: entry)
        } catch let refusal as ChannelRules.Refusal {
            return try await hold(refusal.reason)
        }
    }

    /// Handles one message already read and validated (`ChannelRules.validate`); `body` is what
    /// is kept of it, the message re-encoded when not given.
    public func receive(
        channel: String, message: ChannelMessage, body: [UInt8]? = nil, organizationID: UUID,
        quarantined entry: UUID? = nil
    ) async throws -> MailIntake.Outcome {
        let time = mail.now()
        let body = try body ?? Array(JSONEncoder().encode(message))
        func hold(_ reason: String) async throws -> MailIntake.Outcome {
            .quarantined(
                try await mail.quarantine(
                    body, recipients: [], reason: reason, organizationID: organizationID, entry: entry,
                    channel: channel, at: time), reason)
        }
        let automatic = message.automatic == true ? "sent by an automatic system" : nil
        // Recorded with what it produced, in one transaction, as mail is.
        if let messageID = message.messageID, let known = try await mail.recorded(messageID, channel: channel, organizationID: organizationID) {
            return known
        }
        let sender = message.sender
        let record = IntakeRecord(
            id: UUID.timeOrdered(at: time).text, organizationID: organizationID, channel: channel, messageID: message.messageID,
            row: { id, ticketID, outcome in
                [
                    id, organizationID.text, "in", channel, message.messageID, message.conversationID, nil as String?,
                    sender.email ?? sender.phone ?? sender.handle, sender.name, message.subject.map { String($0.prefix(500)) }, ticketID?.text,
                    outcome,
                    automatic, body.count, Data(body).base64EncodedString(), Millis.from(time),
                ]
            }, at: time)
        let author = ChannelRules.author(sender, channel: channel)
        do {
            if let ticket = try await conversationTicket(channel: channel, conversation: message.conversationID, organizationID: organizationID) {
                let updated = try await mail.tickets.channelReply(
                    to: ticket, body: message.text.trimmingCharacters(in: .whitespacesAndNewlines),
                    author: author, isPublic: automatic == nil, channel: channel, record: record)
                return .commented(updated.key)
            }
            let draft: TicketDraft
            do {
                let family = try ChannelRules.family(for: message, channel: channel, map: map)
                let contact = try await contact(for: sender, channel: channel, organizationID: organizationID, at: time)
                draft = try ChannelRules.draft(for: message, channel: channel, family: family, accountID: contact.accountID, contactID: contact.id)
            } catch let refusal as ChannelRules.Refusal {
                return try await hold(refusal.reason)
            }
            let principal = Principal(userID: UUID(), organizationID: organizationID, name: author, role: .agent)
            do {
                let created = try await mail.tickets.open(
                    draft, by: principal, idempotency: MailIntake.claim(message.messageID, channel: channel),
                    checkedLinks: nil, record: record)
                return created.replayed ? .duplicate(created.ticket.key) : .opened(created.ticket.key)
            } catch let error as TicketError {
                return try await hold("the ticket could not be opened: \(error)")
            }
        } catch is MailIntake.AlreadyRecorded {
            return try await mail.recorded(message.messageID ?? "", channel: channel, organizationID: organizationID) ?? .duplicate(nil)
        }
    }

    /// Largest body taken, in bytes.
    public static let maxSize = 256 << 10

    /// The open ticket a conversation already reached, if any.
    func conversationTicket(channel: String, conversation: String, organizationID: UUID) async throws -> Ticket? {
        let row = try await database.read { db in
            try await db.select().column("ticket_id").from("mail_messages")
                .where("organization_id", .equal, organizationID.text).where("channel", .equal, channel)
                .where("conversation", .equal, conversation).where("ticket_id", .isNot, SQLLiteral.null)
                .orderBy("received_at", .descending).limit(1).first()
        }
        guard let ticketID = try row?.decode(column: "ticket_id", as: String?.self),
            let ticket = try await mail.tickets.tickets.find(organizationID: organizationID, id: ticketID),
            ticket.statusCategory != .closed
        else { return nil }
        return ticket
    }

    /// The sender's contact: by mail address (joined to the account of its domain), else by phone
    /// number or handle on this channel; a new one otherwise. What the message tells of the
    /// sender's phone and handle is remembered for next time.
    func contact(for sender: ChannelMessage.Sender, channel: String, organizationID: UUID, at time: Date) async throws -> Contact {
        var identities: [(kind: String, value: String)] = []
        if let phone = sender.phone.flatMap(ChannelRules.phoneNumber) { identities.append(("phone", phone)) }
        if let handle = sender.handle?.trimmingCharacters(in: .whitespaces).lowercased() { identities.append((channel, handle)) }
        let crm = CRMRepository(database: database)
        var contact: Contact?
        if let email = sender.email.flatMap(MailAddress.single)?.address {
            contact = try await crm.contact(organizationID: organizationID, email: email, name: sender.name, now: time)
        } else {
            for identity in identities {
                let row = try await database.read { db in
                    try await db.select().column("contact_id").from("contact_identities").where("organization_id", .equal, organizationID.text)
                        .where("kind", .equal, identity.kind).where("value", .equal, identity.value).first()
                }
                if let text = try row?.decode(column: "contact_id", as: String.self), let id = UUID(uuidString: text),
                    let found = try await crm.contact(organizationID: organizationID, id: id)
                {
                    contact = found
                    break
                }
            }
        }
        let resolved: Contact
        if let contact {
            resolved = contact
        } else {
            let name = sender.name.flatMap(CRMText.value) ?? identities.first?.value ?? "\(channel) sender"
            resolved = Contact(id: UUID.timeOrdered(at: time), accountID: nil, name: name, createdAt: time)
            try await crm.insert(resolved, organizationID: organizationID)
        }
        if !identities.isEmpty {
            let rows: [RowInsert.Row] = identities.map { [organizationID.text, $0.kind, $0.value, resolved.id.text, Millis.from(time)] }
            try await database.transaction { db in
                try await RowInsert.run(
                    "contact_identities", columns: ["organization_id", "kind", "value", "contact_id", "created_at"],
                    rows: rows, ignoringConflicts: true, on: db)
            }
        }
        return resolved
    }
}
