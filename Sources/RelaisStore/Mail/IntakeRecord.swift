import Foundation
import RelaisCore
import SQLKit

/// What intake writes in the transaction of the ticket or comment a message produced: the
/// message's record, its attachments, and its sender's contact when new. The records of a batch
/// of creations or replies are written together, one statement per table.
struct IntakeRecord: Sendable {
    /// The record's id (kept when an unfinished record of the same message is taken over).
    var id: String
    var organizationID: UUID
    var channel: String
    var messageID: String?
    /// The record's row (`MailIntake.recordColumns`) once its ticket is known.
    var row: @Sendable (_ id: String, _ ticketID: UUID?, _ outcome: String) -> RowInsert.Row
    var attachments: [MailAttachment] = []
    /// A contact `CRMRepository.intakeContact` made, stored unless a message written before did.
    var contact: Contact?
    var at: Date

    /// Writes the records of a batch inside its transaction. `takingOver` is for creations, where
    /// a message's idempotency claim already keeps it to one ticket and one must not undo the
    /// others; otherwise a message already recorded throws `MailIntake.AlreadyRecorded` (its
    /// batch is then written again one message at a time, so only that one fails).
    static func write(_ records: [(record: IntakeRecord, ticketID: UUID, outcome: String)], takingOver: Bool, on db: any SQLDatabase) async throws {
        guard !records.isEmpty else { return }
        let contacts = Dictionary(grouping: records.compactMap { entry in entry.record.contact.map { (entry.record.organizationID, $0) } }, by: \.0)
        for (organizationID, entries) in contacts.sorted(by: { $0.key.text < $1.key.text }) {
            try await CRMRepository.insertIfAbsent(entries.map(\.1), organizationID: organizationID, on: db)
        }

        let keyed = records.compactMap { entry in entry.record.messageID.map { "\(entry.record.channel)|\($0)" } }
        if !takingOver, Set(keyed).count != keyed.count { throw MailIntake.AlreadyRecorded() }
        var query = SQLQueryString("INSERT INTO mail_messages (\(unsafeRaw: MailIntake.recordColumns.joined(separator: ", "))) VALUES ")
        for (index, (record, ticketID, outcome)) in records.enumerated() {
            query.appendLiteral(index == 0 ? "(" : ", (")
            query.appendInterpolation(binds: record.row(record.id, ticketID, outcome))
            query.appendLiteral(")")
        }
        query.appendLiteral(
            """
             ON CONFLICT (organization_id, channel, message_id) DO UPDATE SET ticket_id = excluded.ticket_id, outcome = excluded.outcome,
            mailbox = excluded.mailbox
            """)
        if !takingOver { query.appendLiteral(" WHERE mail_messages.outcome = 'received'") }
        query.appendLiteral(" RETURNING id, channel, message_id")
        // A record taken over keeps its id: the attachments go to the id the database returns.
        var stored: [String: String] = [:], written = 0
        for row in try await db.raw(query).all() {
            written += 1
            if let messageID = try row.decode(column: "message_id", as: String?.self) {
                stored["\(try row.decode(column: "channel", as: String.self))|\(messageID)"] = try row.decode(column: "id", as: String.self)
            }
        }
        if written != records.count { throw MailIntake.AlreadyRecorded() }

        let attachments: [RowInsert.Row] = records.flatMap { record, ticketID, _ in
            let mailID = record.messageID.flatMap { stored["\(record.channel)|\($0)"] } ?? record.id
            return record.attachments.map { attachment in
                [
                    UUID.timeOrdered(at: record.at).text, record.organizationID.text, mailID, ticketID.text, String(attachment.filename.prefix(255)),
                    attachment.contentType, attachment.content.count, Data(attachment.content).base64EncodedString(), Millis.from(record.at),
                ] as RowInsert.Row
            }
        }
        try await RowInsert.run(
            "mail_attachments",
            columns: ["id", "organization_id", "mail_id", "ticket_id", "filename", "content_type", "size", "content", "created_at"],
            rows: attachments, on: db)
    }
}
