import Foundation
import RelaisCore

/// A configuration item: a server, a workstation, an application, a service the business uses ...
public struct ConfigItem: Sendable, Equatable {
    public var id: UUID
    /// The inventory's own id for it; imports upsert by it.
    public var externalID: String?
    /// A type the map's `cmdb.types` declares.
    public var type: String
    public var name: String
    /// in service, maintenance, retired ... as the inventory says.
    public var status: String?
    /// The team that owns it, one of the map's teams.
    public var ownerTeam: String?
    /// The customer account a customer-facing item serves.
    public var accountID: UUID?
    /// Anything else the inventory knows (ip, os, version, location ...), as text.
    public var attributes: [String: String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, externalID: String? = nil, type: String, name: String, status: String? = nil, ownerTeam: String? = nil,
        accountID: UUID? = nil, attributes: [String: String] = [:], createdAt: Date, updatedAt: Date? = nil
    ) {
        self.id = id
        self.externalID = externalID
        self.type = type
        self.name = name
        self.status = status
        self.ownerTeam = ownerTeam
        self.accountID = accountID
        self.attributes = attributes
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// The fields an item's values set by name; other names are attributes.
    public static let fields = ["external_id", "type", "name", "status", "owner_team", "account_id", "account_external_id"]

    /// Refuses what the map does not declare, naming the field.
    public func validate(map: ProcessMap) throws {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw StoreError.invalidValue(field: "name", reason: "must not be empty")
        }
        if let reason = map.cmdb.problem(itemType: type) { throw StoreError.invalidValue(field: "type", reason: reason) }
        if let ownerTeam, map.teams[ownerTeam] == nil {
            throw StoreError.invalidValue(
                field: "owner_team", reason: "unknown team '\(ownerTeam)'; expected one of \(map.teams.keys.sorted().joined(separator: ", "))")
        }
        for key in attributes.keys where key.isEmpty || key.count > 100 {
            throw StoreError.invalidValue(field: "attributes", reason: "attribute names have 1 to 100 characters")
        }
    }
}

/// A typed relation `source → target` between two items ("app runs_on server").
public struct ConfigRelation: Sendable, Equatable {
    public var id: UUID
    public var sourceID: UUID
    public var type: String
    public var targetID: UUID
    public var createdAt: Date

    public init(id: UUID, sourceID: UUID, type: String, targetID: UUID, createdAt: Date) {
        self.id = id
        self.sourceID = sourceID
        self.type = type
        self.targetID = targetID
        self.createdAt = createdAt
    }
}

/// What an incident on one item reaches.
public struct ImpactReport: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var item: ConfigItem
        public var distance: Int
        /// The item it was reached from, and the relation crossed.
        public var via: UUID
        public var relation: String
    }

    public struct AffectedAccount: Sendable, Equatable {
        public var accountID: UUID
        public var name: String
        /// The impacted items serving it.
        public var items: Int
    }

    public var item: ConfigItem
    /// Every impacted item, nearest first (at most `limit` listed; `impactedCount` counts all).
    public var impacted: [Entry]
    public var impactedCount: Int
    /// The impacted items of a service type, and the item itself if it is one.
    public var services: [Entry]
    /// The accounts served by the item or any impacted item.
    public var accounts: [AffectedAccount]
    /// Open tickets on the item or on an impacted item.
    public var openTickets: [String]
}
