import Foundation
import RelaisCore

/// A small map written in code, so Core is tested without the YAML loader.
enum SampleMap {
    static let accountID = UUID(uuidString: "00000000-0000-0000-0000-0000000000a1")!
    static let organizationID = UUID(uuidString: "00000000-0000-0000-0000-0000000000f1")!
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static let workflow = Workflow(
        code: "incident-flow", initial: "new",
        statuses: [
            ("new", .new), ("assigned", .open), ("in_progress", .open), ("waiting", .pending),
            ("resolved", .solved), ("closed", .closed), ("cancelled", .closed),
        ],
        transitions: [
            .init(from: "new", to: "assigned"), .init(from: "assigned", to: "in_progress"),
            .init(from: "in_progress", to: "waiting"), .init(from: "waiting", to: "in_progress"),
            .init(from: "in_progress", to: "resolved"), .init(from: "resolved", to: "closed"),
            .init(from: "*", to: "cancelled"),
        ])

    static var map: ProcessMap {
        ProcessMap(
            organization: .init(name: "Sample"),
            referential: .init(
                severities: ["minor", "major", "critical"],
                priorityMatrix: PriorityMatrix([
                    "high": ["high": "P1", "medium": "P2", "low": "P3"],
                    "medium": ["high": "P2", "medium": "P3", "low": "P4"],
                    "low": ["high": "P3", "medium": "P4", "low": "P5"],
                ]),
                categories: [.init(code: "network", label: .init(["en": "Network"])), .init(code: "billing", label: .init(["en": "Billing"]))]),
            teams: [
                "l1": Team(code: "l1", level: 1, escalatesTo: "l2"),
                "l2": Team(code: "l2", level: 2, escalatesTo: "l3"),
                "l3": Team(code: "l3", level: 3),
            ],
            workflows: ["incident-flow": workflow],
            families: [
                "incident": Family(
                    code: "incident", label: .init(["en": "Incident", "fr": "Incident"]), domain: .itsm, keyPrefix: "INC",
                    openedBy: ["internal", "customer"], channels: ["email", "api"], handledBy: ["l1", "l2", "l3"],
                    workflow: "incident-flow", crm: .init(require: [.account], allow: [.contact]),
                    resolution: .init(require: ["resolution_note"], confirmedBy: "requester"))
            ],
            routing: [
                RoutingRule(
                    name: "critical-to-l2", conditions: [.init(field: "severity", values: ["critical"])],
                    actions: .init(team: "l2", priority: "P1"), continues: true),
                RoutingRule(
                    name: "network-tag", conditions: [.init(field: "category", values: ["network"])],
                    actions: .init(addTags: ["network"])),
                RoutingRule(
                    name: "strategic-first", conditions: [.init(field: "account.tier", values: ["strategic"])],
                    actions: .init(raisePriority: 1)),
            ])
    }

    static func draft(
        family: String = "incident", channel: String = "api", severity: String? = nil, category: String? = nil,
        impact: String? = nil, urgency: String? = nil, links: [CRMLink] = [CRMLink(kind: .account, id: accountID)]
    ) -> TicketDraft {
        TicketDraft(
            family: family, title: "Mail is down", channel: channel, openedBy: "internal",
            impact: impact, urgency: urgency, severity: severity, category: category, links: links)
    }

    static func open(_ draft: TicketDraft = draft(), context: RoutingContext = [:]) throws -> (Ticket, [TicketChange]) {
        try TicketRules.open(draft, map: map, context: context, id: UUID(), organizationID: organizationID, now: now)
    }
}
