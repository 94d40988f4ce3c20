import Foundation
import RelaisCore
import SQLKit

/// How a `Ticket` maps onto a row of `tickets`.
enum TicketRow {
    static let columns = [
        "id", "organization_id", "key", "number", "family", "title", "description", "status", "status_category",
        "impact", "urgency", "priority", "severity", "category", "channel", "opened_by", "requester_id",
        "team", "assignee", "level", "tags", "custom_fields", "links", "account_id", "resolution_note",
        "created_at", "updated_at", "version", "last_event_sequence", "entity", "brand",
    ]

    /// `SELECT` every ticket column `FROM tickets`, to be narrowed with `where`. The column list
    /// is fixed text (SQLKit would quote each name again on every call).
    static func select(on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column(columnList).from("tickets")
    }

    static let columnList = SQLRaw(columns.joined(separator: ", "))

    static func row(_ ticket: Ticket, lastEventSequence: Int) -> RowInsert.Row {
        [
            ticket.id.text, ticket.organizationID.text, ticket.key, ticket.number, ticket.family,
            ticket.title, ticket.description, ticket.status, ticket.statusCategory.rawValue,
            ticket.impact, ticket.urgency, ticket.priority, ticket.severity, ticket.category,
            ticket.channel, ticket.openedBy, ticket.requesterID?.text,
            ticket.team, ticket.assignee, ticket.level,
            JSONText.encode(ticket.tags), JSONText.encode(ticket.customFields), JSONText.encode(ticket.links),
            ticket.accountID?.text, ticket.resolutionNote,
            Millis.from(ticket.createdAt), Millis.from(ticket.updatedAt), ticket.version, lastEventSequence,
            ticket.entity, ticket.brand,
        ]
    }

    private static let keyColumn = columns.firstIndex(of: "key")!
    private static let numberColumn = columns.firstIndex(of: "number")!

    /// A row built before its ticket had a number, given the ticket's key and number.
    static func numbering(_ row: RowInsert.Row, as ticket: Ticket) -> RowInsert.Row {
        var row = row
        row[keyColumn] = ticket.key
        row[numberColumn] = ticket.number
        return row
    }

    /// Columns an update rewrites: everything but identity and creation.
    static func assignments(_ ticket: Ticket, lastEventSequence: Int) -> [(String, any Encodable & Sendable)] {
        [
            ("title", ticket.title), ("description", ticket.description), ("status", ticket.status),
            ("status_category", ticket.statusCategory.rawValue), ("impact", ticket.impact), ("urgency", ticket.urgency),
            ("priority", ticket.priority), ("severity", ticket.severity), ("category", ticket.category),
            ("team", ticket.team), ("assignee", ticket.assignee), ("level", ticket.level),
            ("tags", JSONText.encode(ticket.tags)), ("custom_fields", JSONText.encode(ticket.customFields)),
            ("links", JSONText.encode(ticket.links)), ("account_id", ticket.accountID?.text),
            ("resolution_note", ticket.resolutionNote), ("updated_at", Millis.from(ticket.updatedAt)),
            ("version", ticket.version), ("last_event_sequence", lastEventSequence),
        ]
    }

    static func decode(_ row: any SQLRow) throws -> Ticket {
        func text(_ column: String) throws -> String { try row.decode(column: column, as: String.self) }
        func optional(_ column: String) throws -> String? { try row.decode(column: column, as: String?.self) }
        // A row that cannot be read is an error naming its column, never a guess.
        let category = try text("status_category")
        guard let statusCategory = StatusCategory(rawValue: category) else {
            throw StoreError.invalidValue(field: "status_category", reason: "'\(category)' is not a status category")
        }
        return Ticket(
            id: try row.uuid("id"), organizationID: try row.uuid("organization_id"), key: try text("key"),
            number: try row.decode(column: "number", as: Int.self), family: try text("family"),
            title: try text("title"), description: try text("description"), status: try text("status"),
            statusCategory: statusCategory,
            impact: try optional("impact"), urgency: try optional("urgency"), priority: try optional("priority"),
            severity: try optional("severity"), category: try optional("category"), channel: try text("channel"),
            openedBy: try text("opened_by"), requesterID: try row.optionalUUID("requester_id"),
            team: try optional("team"), assignee: try optional("assignee"),
            level: try row.decode(column: "level", as: Int?.self),
            tags: try JSONText.decode([String].self, text("tags")),
            customFields: try JSONText.decode([String: String].self, text("custom_fields")),
            links: try JSONText.decode([CRMLink].self, text("links")),
            resolutionNote: try optional("resolution_note"), entity: try optional("entity"), brand: try optional("brand"),
            createdAt: Millis.date(try row.decode(column: "created_at", as: Int.self)),
            updatedAt: Millis.date(try row.decode(column: "updated_at", as: Int.self)),
            version: try row.decode(column: "version", as: Int.self)
        )
    }
}
