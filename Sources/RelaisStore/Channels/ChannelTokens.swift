import Foundation
import RelaisCore
import SQLKit

/// One token per inbound channel of an organisation: the system posting a channel's messages
/// (a chat widget's backend, a social network bridge, a telephony system) holds it. Only its
/// digest is kept; issuing a new one ends the old one.
public struct ChannelTokens: Sendable {
    public let database: RelaisDatabase

    public init(database: RelaisDatabase) { self.database = database }

    /// Prefix of channel tokens, so they are told from users' tokens at a glance.
    public static let prefix = "rch_"

    /// A new token for the channel, replacing the one it had; `actor` is who asks, for the audit
    /// log (the command line when nil).
    public func issue(channel: String, organizationID: UUID, by actor: Principal? = nil) async throws -> String {
        let token = Self.prefix + DirectoryRepository.randomToken()
        try await database.transaction { db in
            try await RowInsert.run(
                "channel_tokens", columns: ["organization_id", "channel", "token_hash", "created_at"],
                rows: [[organizationID.text, channel, DirectoryRepository.digest(token), Millis.now()]],
                upsertingOn: "organization_id, channel",
                updating: "token_hash = excluded.token_hash, created_at = excluded.created_at", on: db)
            try await AuditLog.insert(
                [
                    AuditEntry(
                        organizationID: organizationID, actorID: actor?.userID, actor: actor?.name ?? AuditEntry.commandLine,
                        action: "channel_token.issued", target: channel)
                ], on: db)
        }
        return token
    }

    /// Ends the channel's token; false when it had none.
    @discardableResult
    public func revoke(channel: String, organizationID: UUID, by actor: Principal? = nil) async throws -> Bool {
        try await database.transaction { db in
            let revoked =
                try await db.raw(
                    """
                    DELETE FROM channel_tokens WHERE organization_id = \(bind: organizationID.text) AND channel = \(bind: channel) RETURNING channel
                    """
                ).first() != nil
            if revoked {
                try await AuditLog.insert(
                    [
                        AuditEntry(
                            organizationID: organizationID, actorID: actor?.userID, actor: actor?.name ?? AuditEntry.commandLine,
                            action: "channel_token.revoked", target: channel)
                    ], on: db)
            }
            return revoked
        }
    }

    /// The channel a token of `organizationID` stands for, or nil (a token of another organisation
    /// on the same database is none here).
    public func channel(forToken token: String, organizationID: UUID) async throws -> (organizationID: UUID, channel: String)? {
        guard token.hasPrefix(Self.prefix) else { return nil }
        let row = try await database.read { db in
            try await db.select().columns("organization_id", "channel").from("channel_tokens")
                .where("token_hash", .equal, DirectoryRepository.digest(token)).where("organization_id", .equal, organizationID.text).first()
        }
        guard let row, let organization = UUID(uuidString: try row.decode(column: "organization_id", as: String.self)) else { return nil }
        return (organization, try row.decode(column: "channel", as: String.self))
    }

    /// Channels holding a token, with when it was issued.
    public func issued(organizationID: UUID) async throws -> [String: Date] {
        try await database.read { db in
            try await db.select().columns("channel", "created_at").from("channel_tokens").where("organization_id", .equal, organizationID.text).all()
        }.reduce(into: [:]) { result, row in
            result[try row.decode(column: "channel", as: String.self)] = Millis.date(try row.decode(column: "created_at", as: Int.self))
        }
    }
}
