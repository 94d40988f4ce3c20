import Foundation
import RelaisCore

extension TicketService {
    /// Merges ticket `key` into `target` (as typed, any case): the target gets an internal note
    /// naming the duplicate (its subject and requester's words are on the duplicate, which stays
    /// readable), then the duplicate ends as its duplicate. Returns the target.
    public func merge(key: String, into target: String, by principal: Principal) async throws -> Ticket {
        try principal.require(.change, .ticket)
        var duplicate = try await find(key: key, by: principal)
        let kept = try await find(key: TicketRules.key(typed: target), by: principal)
        let read = duplicate.version
        // Decided first, so a refusal leaves both tickets untouched; the target's note changes
        // nothing the decision reads (its key and status).
        let changes = try TicketRules.markDuplicate(&duplicate, of: kept, map: map, now: now())
        let note = "\(duplicate.key) was merged into this ticket: \(duplicate.title)"
        let (saved, _) = try await addComment(to: kept, body: note, isPublic: false, byRequester: false, actor: actor(principal))
        _ = try await tickets.update(duplicate, expectedVersion: read, changes: changes, actor: actor(principal))
        return saved
    }
}
