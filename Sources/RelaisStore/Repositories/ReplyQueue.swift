import Foundation
import RelaisCore
import SQLKit

/// A requester's message from a channel, waiting to be written onto its ticket.
struct PendingReply: Sendable {
    var organizationID: UUID
    var ticketID: UUID
    var key: String
    var body: String
    var isPublic: Bool
    var channel: String
    var actor: TicketRepository.Actor
    var commentID: UUID
    var now: Date
    /// The message the reply came in, recorded with it.
    var record: IntakeRecord?
}

/// Group commit for channel replies, as for creations: replies that arrive while a batch is
/// written go together into the next transaction. Each reply is applied to its ticket as read
/// inside that transaction (comments commute, so there is no version to check), and the SLA
/// clocks of the batch's tickets are evaluated once. When a batch fails, its replies are written
/// one by one, so one bad reply does not fail the others.
typealias ReplyQueue = GroupCommit<PendingReply, Ticket>

extension GroupCommit where Item == PendingReply, Output == Ticket {
    func submit(_ item: PendingReply, map: ProcessMap, tracker: SLATracker?, to database: RelaisDatabase) async throws -> Ticket {
        try await submit(item) { items in
            do {
                return try await database.transaction { db in try await ReplyBatch.write(items, map: map, tracker: tracker, on: db) }.map {
                    .success($0)
                }
            } catch {
                var outcomes: [Result<Ticket, any Error>] = []
                for item in items {
                    do {
                        outcomes.append(
                            .success(
                                try await database.transaction { db in
                                    try await ReplyBatch.write([item], map: map, tracker: tracker, on: db)[0]
                                }))
                    } catch {
                        outcomes.append(.failure(error))
                    }
                }
                return outcomes
            }
        }
    }
}

enum ReplyBatch {
    /// Writes the replies in order inside the caller's transaction; returns each ticket as it was
    /// once its reply was written. The tickets are read (and locked, on PostgreSQL) by one
    /// statement, the comments, events and outside events written by one statement each, and
    /// each ticket updated once, to its state after the last of its replies.
    static func write(_ items: [PendingReply], map: ProcessMap, tracker: SLATracker?, on db: any SQLDatabase) async throws -> [Ticket] {
        let ids = Array(Set(items.map(\.ticketID.text))).sorted()
        if let tracker { try await tracker.lock(ids, on: db) }
        var current: [String: Ticket] = [:], stored: [String: TicketRepository.Stored] = [:]
        for row in try await TicketRow.select(on: db).where("id", .in, ids).orderBy("id").for(.update).all() {
            let ticket = try TicketRow.decode(row)
            current[ticket.id.text] = ticket
            stored[ticket.id.text] = try TicketRepository.Stored(row: row)
        }
        var written: [Ticket] = [], writes: [TicketRepository.Write] = [], comments: [RowInsert.Row] = []
        var clockMayMove = false
        for item in items {
            // The ticket as this transaction sees it, with the batch's earlier replies.
            guard var ticket = current[item.ticketID.text], ticket.organizationID == item.organizationID else {
                throw StoreError.notFound(what: "ticket", id: item.key)
            }
            let changes = try TicketRules.comment(
                &ticket, isPublic: item.isPublic, byRequester: true, body: item.body, channel: item.channel,
                commentID: item.commentID, map: map, now: item.now)
            clockMayMove = clockMayMove || SLAEngine.mayChangeSLA(changes)
            comments.append(
                TicketRepository.commentRow(
                    NewComment(id: item.commentID, body: item.body, isPublic: item.isPublic, channel: item.channel),
                    on: ticket, by: item.actor))
            writes.append(TicketRepository.Write(ticket: ticket, changes: changes, actor: item.actor))
            current[ticket.id.text] = ticket
            written.append(ticket)
        }
        try await TicketRepository.insertComments(comments, on: db)
        try await IntakeRecord.write(items.compactMap { item in item.record.map { ($0, item.ticketID, "commented") } }, takingOver: false, on: db)
        try await TicketRepository.write(writes, stored: stored, on: db)
        if let tracker, clockMayMove, let time = items.map(\.now).max() {
            try await tracker.refresh(ids.compactMap { current[$0] }, on: db, now: Int64(Millis.from(time)))
        }
        return written
    }
}
