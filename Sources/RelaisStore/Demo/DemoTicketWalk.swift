import Foundation
import RelaisCore

/// Makes one demo ticket and walks it through its workflow the way tickets are really lived:
/// waits that depend on the kind of status, some escalations and hand-backs between teams,
/// some rework, and recent tickets still open.
struct DemoTicketWalk {
    let map: ProcessMap
    let organizationID: UUID
    let end: Date
    static let agents = ["camille", "yanis", "ines", "theo", "lina", "malo", "sarah", "adam", "jade", "noe"]
    /// Mean wait before entering a status of each category, in seconds.
    static let meanWait: [StatusCategory: Double] = [.new: 600, .open: 2.5 * 3600, .pending: 8 * 3600, .solved: 14 * 3600, .closed: 48 * 3600]
    static let titles: [String: [String]] = [
        "access": ["Cannot open the shared drive", "Access to the finance folder", "VPN refuses my password"],
        "accounts": ["New starter account", "Reset my password", "Disable a leaver's account"],
        "software": ["Install the design tool", "Office add-in crashes", "Licence for the BI tool"],
        "equipment": ["Laptop battery swells", "Second screen request", "Docking station not detected"],
        "network": ["Wi-Fi drops on floor 3", "Slow connection to the ERP", "Printer unreachable"],
        "release": ["Release 4.2 of the portal", "Hotfix for invoice export"],
        "migration": ["Move mail to the new tenant", "Database upgrade"],
        "product": ["Dashboard shows wrong totals", "Export to CSV fails", "Error 500 on login"],
        "billing": ["Invoice does not match the contract", "Duplicate charge", "VAT number missing"],
        "usage": ["How do I share a report?", "Question about user roles", "Set up single sign-on"],
        "onboarding": ["Kick-off for the new subscription", "Import of historical data"],
        "operations": ["Quarterly access review", "Prepare the customer workshop"],
    ]

    func make(at created: Date, accounts: WeightedAccounts, random: inout SeededRandom) throws -> HistoricTicket? {
        let families = map.families.values.sorted { $0.code < $1.code }
        let weights: [String: Double] = ["incident": 35, "service_request": 25, "customer_support": 25, "change": 6, "project_task": 9]
        let family = random.pick(families.map { ($0, weights[$0.code] ?? 10) })
        let (account, contacts) = accounts.pick(&random)
        var links: [CRMLink] = []
        if family.crm.permitted.contains(.account), family.crm.require.contains(.account) || random.chance(0.6) {
            links.append(CRMLink(kind: .account, id: account.id))
            if family.crm.permitted.contains(.contact), !contacts.isEmpty, random.chance(0.7) {
                links.append(CRMLink(kind: .contact, id: random.pick(contacts).id))
            }
        }
        if family.crm.require.contains(where: { $0 != .account && $0 != .contact }) { return nil }
        let categories = map.referential.categoryCodes
        let category = categories.isEmpty ? nil : random.pick(categories)
        let matrix = map.referential.priorityMatrix
        let severities = map.referential.severities
        let draft = TicketDraft(
            family: family.code, title: random.pick(Self.titles[category ?? ""] ?? ["Request"]),
            description: "Generated demo ticket.", channel: random.pick(family.channels), openedBy: random.pick(family.openedBy),
            impact: matrix.impacts.isEmpty ? nil : random.pick(matrix.impacts),
            urgency: matrix.urgencies.isEmpty ? nil : random.pick(matrix.urgencies),
            severity: severities.isEmpty ? nil : random.pick(Array(zip(severities, [60.0, 30, 10, 5, 5].prefix(severities.count)))),
            category: category, links: links)
        let context = links.contains { $0.kind == .account } ? account.routingContext : [:]
        var (ticket, changes) = try TicketRules.open(
            draft, map: map, context: context, id: UUID.timeOrdered(at: created, using: &random), organizationID: organizationID, now: created)
        var history = changes.map { HistoricTicket.Entry(change: $0, at: created, actor: "system") }
        try walk(&ticket, family: family, from: created, history: &history, random: &random)
        return HistoricTicket(ticket: ticket, prefix: family.keyPrefix, history: history)
    }

    private func walk(
        _ ticket: inout Ticket, family: Family, from start: Date, history: inout [HistoricTicket.Entry], random: inout SeededRandom
    ) throws {
        guard let workflow = map.workflow(of: family) else { return }
        var time = start
        var visited: Set<String> = [ticket.status]
        var agent = random.pick(Self.agents)
        var escalated = false
        for _ in 0..<24 {
            let targets = workflow.allowedTargets(from: ticket.status)
            guard !targets.isEmpty, ticket.statusCategory != .closed else { return }
            // Most tickets move forward; some go back to a status they left (rework); few are cancelled.
            let fresh = targets.filter { !visited.contains($0) && !["cancelled", "rejected"].contains($0) }
            let next = !fresh.isEmpty && !random.chance(0.12) ? random.pick(fresh) : random.pick(targets)
            guard let category = workflow.category(of: next) else { return }
            time += random.delay(mean: Self.meanWait[category] ?? 3600)
            if time > end { return }
            if ticket.assignee == nil, category == .open {
                try apply(TicketPatch(assignee: agent), to: &ticket, at: time, actor: agent, history: &history)
            }
            // About one ticket in six is escalated to the next level, and a third of those come back.
            if !escalated, category == .open, random.chance(0.16), let team = ticket.team,
                let index = family.handledBy.firstIndex(of: team), index + 1 < family.handledBy.count
            {
                escalated = true
                agent = random.pick(Self.agents)
                try apply(TicketPatch(team: family.handledBy[index + 1], assignee: agent), to: &ticket, at: time, actor: "system", history: &history)
                if random.chance(0.33) {
                    time += random.delay(mean: 3 * 3600)
                    try apply(TicketPatch(team: team), to: &ticket, at: time, actor: agent, history: &history)
                }
            }
            let note = category == .solved ? "Fixed and checked with the requester." : nil
            let changes = try TicketRules.transition(&ticket, to: next, resolutionNote: note, map: map, now: time)
            history += changes.map { HistoricTicket.Entry(change: $0, at: time, actor: agent) }
            visited.insert(next)
            if category == .solved, random.chance(0.15) { continue }
        }
    }

    private func apply(_ patch: TicketPatch, to ticket: inout Ticket, at time: Date, actor: String, history: inout [HistoricTicket.Entry]) throws {
        let changes = try TicketRules.update(&ticket, with: patch, map: map, context: [:], now: time)
        history += changes.map { HistoricTicket.Entry(change: $0, at: time, actor: actor) }
    }
}

/// Accounts drawn in proportion to their weight (strategic ones three times as often) with a
/// binary search over running totals, so drawing stays cheap with tens of thousands of accounts.
struct WeightedAccounts {
    let accounts: [(Account, [Contact])]
    let totals: [Double]

    init(_ accounts: [(Account, [Contact])]) {
        self.accounts = accounts
        var running = 0.0
        totals = accounts.map { account in
            running += account.0.tier == "strategic" ? 3.0 : 1.0
            return running
        }
    }

    /// The same draw as `SeededRandom.pick(_:)` over the weighted list: the first account whose
    /// running total exceeds the roll.
    func pick(_ random: inout SeededRandom) -> (Account, [Contact]) {
        let roll = Double.random(in: 0..<(totals.last ?? 1), using: &random)
        var low = 0, high = totals.count - 1
        while low < high {
            let middle = (low + high) / 2
            if totals[middle] > roll { high = middle } else { low = middle + 1 }
        }
        return accounts[low]
    }
}
