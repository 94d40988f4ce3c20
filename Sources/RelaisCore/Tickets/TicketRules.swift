import Foundation

/// The rules of the map applied to tickets: what may be opened, changed and moved, and what the
/// history records. Pure functions; the store persists what they decide.
public enum TicketRules {
    /// Validates `draft` against the map, routes it, and returns the new ticket (without its
    /// number, which the store assigns) and the changes to record.
    public static func open(
        _ draft: TicketDraft, map: ProcessMap, context: RoutingContext,
        id: UUID, organizationID: UUID, now: Date
    ) throws -> (Ticket, [TicketChange]) {
        guard let family = map.families[draft.family] else {
            throw TicketError.unknownValue(field: "family", value: draft.family, allowed: map.families.keys.sorted())
        }
        guard let workflow = map.workflow(of: family), let category = workflow.category(of: workflow.initial) else {
            throw TicketError.notAllowed(field: "family", value: family.code, reason: "its workflow is missing")
        }
        let title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw TicketError.missingField(field: "title", reason: "must not be empty") }
        guard family.channels.contains(draft.channel) else {
            throw TicketError.notAllowed(
                field: "channel", value: draft.channel, reason: "family '\(family.code)' is opened through \(family.channels.joined(separator: ", "))"
            )
        }
        guard family.openedBy.contains(draft.openedBy) else {
            throw TicketError.notAllowed(
                field: "opened_by", value: draft.openedBy, reason: "family '\(family.code)' is opened by \(family.openedBy.joined(separator: ", "))")
        }
        try checkReferential(
            impact: draft.impact, urgency: draft.urgency, priority: draft.priority,
            severity: draft.severity, category: draft.category, map: map)
        try checkLinks(draft.links, family: family)
        let team = try checkTeam(draft.team ?? family.handledBy.first, family: family, map: map)
        var ticket = Ticket(
            id: id, organizationID: organizationID, key: "", number: 0, family: family.code,
            title: title, description: draft.description, status: workflow.initial, statusCategory: category,
            impact: draft.impact, urgency: draft.urgency,
            priority: draft.priority ?? derivedPriority(impact: draft.impact, urgency: draft.urgency, map: map),
            severity: draft.severity, category: draft.category, channel: draft.channel, openedBy: draft.openedBy,
            requesterID: draft.requesterID, team: team?.code, assignee: nonEmpty(draft.assignee), level: team?.level,
            tags: unique(draft.tags), customFields: draft.customFields, links: unique(draft.links),
            createdAt: now, updatedAt: now
        )
        let pinned: Set<String> = Set(
            [
                draft.team.map { _ in "team" }, draft.priority.map { _ in "priority" },
                draft.assignee.map { _ in "assignee" },
            ].compactMap { $0 })
        let routed = Router.route(&ticket, rules: map.routing, map: map, context: context, pinned: pinned)
        (ticket.entity, ticket.brand) = try map.entityAndBrand(
            brand: nonEmpty(draft.brand), entity: nonEmpty(draft.entity),
            account: context["account.entity"], team: ticket.team)
        try checkTeam(nonEmpty(draft.team), serves: ticket.entity, map: map)
        return (ticket, [TicketChange(kind: .created, to: ticket.status)] + routed)
    }

    /// Applies `patch`, re-runs routing when a field a rule reads has changed, and returns the changes.
    public static func update(
        _ ticket: inout Ticket, with patch: TicketPatch, map: ProcessMap, context: RoutingContext, now: Date
    ) throws -> [TicketChange] {
        guard let family = map.families[ticket.family] else {
            throw TicketError.unknownValue(field: "family", value: ticket.family, allowed: map.families.keys.sorted())
        }
        try checkReferential(
            impact: nonEmpty(patch.impact), urgency: nonEmpty(patch.urgency), priority: nonEmpty(patch.priority),
            severity: nonEmpty(patch.severity), category: nonEmpty(patch.category), map: map)
        if let title = patch.title, title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw TicketError.missingField(field: "title", reason: "must not be empty")
        }
        if let links = patch.links { try checkLinks(links, family: family) }
        let before = ticket
        var changes: [TicketChange] = []
        func set(_ field: String, _ keyPath: WritableKeyPath<Ticket, String?>, _ value: String?) {
            guard let value else { return }
            let new = nonEmpty(value)
            if let change = TicketChange.field(field, from: ticket[keyPath: keyPath], to: new) { changes.append(change) }
            ticket[keyPath: keyPath] = new
        }
        if let title = patch.title, title != ticket.title {
            changes.append(TicketChange(kind: .fieldChanged, field: "title", from: ticket.title, to: title))
            ticket.title = title
        }
        if let description = patch.description, description != ticket.description {
            changes.append(TicketChange(kind: .fieldChanged, field: "description"))
            ticket.description = description
        }
        set("impact", \.impact, patch.impact)
        set("urgency", \.urgency, patch.urgency)
        set("severity", \.severity, patch.severity)
        set("category", \.category, patch.category)
        set("assignee", \.assignee, patch.assignee)
        if let priority = patch.priority {
            set("priority", \.priority, priority)
        } else if ticket.impact != before.impact || ticket.urgency != before.urgency {
            set("priority", \.priority, derivedPriority(impact: ticket.impact, urgency: ticket.urgency, map: map) ?? "")
        }
        if let teamCode = patch.team {
            let team = try checkTeam(nonEmpty(teamCode), family: family, map: map)
            try checkTeam(nonEmpty(teamCode), serves: ticket.entity, map: map)
            set("team", \.team, teamCode)
            if let change = TicketChange.field("level", from: ticket.level.map(String.init), to: team.map { String($0.level) }) {
                changes.append(change)
            }
            ticket.level = team?.level
        }
        if let tags = patch.tags.map(unique), tags != ticket.tags {
            changes.append(
                TicketChange(kind: .fieldChanged, field: "tags", from: ticket.tags.joined(separator: ","), to: tags.joined(separator: ",")))
            ticket.tags = tags
        }
        if let fields = patch.customFields {
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) where ticket.customFields[name] != value {
                changes.append(TicketChange(kind: .fieldChanged, field: "custom.\(name)", from: ticket.customFields[name], to: value))
                ticket.customFields[name] = value.isEmpty ? nil : value
            }
        }
        if let links = patch.links.map(unique) {
            for link in links where !ticket.links.contains(link) {
                changes.append(TicketChange(kind: .linked, field: link.kind.rawValue, to: link.id.text))
            }
            for link in ticket.links where !links.contains(link) {
                changes.append(TicketChange(kind: .unlinked, field: link.kind.rawValue, from: link.id.text))
            }
            ticket.links = links
        }
        let changedFields = Set(changes.compactMap(\.field))
        let readByRules = map.routing.reduce(into: Set<String>()) { $0.formUnion($1.fieldsRead) }
        if !changedFields.isDisjoint(with: readByRules) || changes.contains(where: { $0.kind == .linked }) {
            changes += Router.route(&ticket, rules: map.routing, map: map, context: context, pinned: changedFields)
        }
        if !changes.isEmpty { touch(&ticket, now) }
        return changes
    }

    /// Moves the ticket to `status` if its workflow allows it.
    public static func transition(
        _ ticket: inout Ticket, to status: String, resolutionNote: String?, map: ProcessMap, now: Date
    ) throws -> [TicketChange] {
        guard let family = map.families[ticket.family], let workflow = map.workflow(of: family) else {
            throw TicketError.unknownValue(field: "family", value: ticket.family, allowed: map.families.keys.sorted())
        }
        guard let category = workflow.category(of: status) else {
            throw TicketError.unknownValue(field: "status", value: status, allowed: workflow.statusOrder)
        }
        guard workflow.allows(from: ticket.status, to: status) else {
            throw TicketError.transitionNotAllowed(from: ticket.status, to: status, allowed: workflow.allowedTargets(from: ticket.status))
        }
        var changes = [TicketChange(kind: .statusChanged, field: "status", from: ticket.status, to: status)]
        if category == .solved {
            let note = nonEmpty(resolutionNote?.trimmingCharacters(in: .whitespacesAndNewlines))
            if family.resolution.require.contains("resolution_note"), note == nil {
                throw TicketError.missingField(
                    field: "resolution_note", reason: "family '\(family.code)' requires a resolution note to enter '\(status)'")
            }
            if let note {
                changes.append(TicketChange(kind: .fieldChanged, field: "resolution_note", from: ticket.resolutionNote, to: note))
                ticket.resolutionNote = note
            }
        }
        ticket.status = status
        ticket.statusCategory = category
        touch(&ticket, now)
        return changes
    }

    /// Records a comment on the ticket; the text itself is stored beside the ticket. `channel`
    /// names how it came when not through Relais itself (`phone` for a call an agent logs,
    /// `email`, `chat`...). With `map`, a public answer
    /// from the requester brings a ticket that waits on them or is solved back to the team: it
    /// moves to the first status of category `open` its workflow allows from where it is.
    /// `commentID` is named in the outside event, so a notifier can quote the comment.
    public static func comment(
        _ ticket: inout Ticket, isPublic: Bool, byRequester: Bool = false, body: String, channel: String? = nil,
        commentID: UUID? = nil, map: ProcessMap? = nil, now: Date
    ) throws -> [TicketChange] {
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw TicketError.missingField(field: "body", reason: "must not be empty")
        }
        let family = map?.families[ticket.family]
        var comment = TicketChange(
            kind: .commented, field: isPublic ? "public" : "internal",
            to: byRequester ? TicketChange.requesterAuthor : TicketChange.agentAuthor)
        if let channel { comment.details["channel"] = channel }
        if let commentID { comment.details["comment_id"] = commentID.text }
        var changes = [comment]
        if byRequester, isPublic, [.pending, .solved].contains(ticket.statusCategory), let family, let map, let workflow = map.workflow(of: family),
            let back = workflow.allowedTargets(from: ticket.status).first(where: { workflow.category(of: $0) == .open })
        {
            changes.append(TicketChange(kind: .statusChanged, field: "status", from: ticket.status, to: back))
            ticket.status = back
            ticket.statusCategory = .open
        }
        touch(&ticket, now)
        return changes
    }

    /// Satisfaction scores run from 1 (very dissatisfied) to 5 (very satisfied).
    public static let ratingScale = 1...5

    /// Records the requester's rating of a solved or closed ticket; rating again replaces it.
    public static func rate(_ ticket: inout Ticket, score: Int, previous: Int?, now: Date) throws -> [TicketChange] {
        guard ticket.statusCategory.isDone else {
            throw TicketError.notAllowed(
                field: "score", value: String(score), reason: "only a solved or closed ticket can be rated; \(ticket.key) is \(ticket.status)")
        }
        guard ratingScale.contains(score) else {
            throw TicketError.notAllowed(
                field: "score", value: String(score), reason: "a rating runs from \(ratingScale.lowerBound) to \(ratingScale.upperBound)")
        }
        touch(&ticket, now)
        return [TicketChange(kind: .rated, field: "satisfaction", from: previous.map(String.init), to: String(score))]
    }

    /// The priority the matrix gives for `impact` and `urgency`, when both are known.
    public static func derivedPriority(impact: String?, urgency: String?, map: ProcessMap) -> String? {
        guard let impact, let urgency else { return nil }
        return map.referential.priorityMatrix.priority(impact: impact, urgency: urgency)
    }

    static func touch(_ ticket: inout Ticket, _ now: Date) {
        ticket.updatedAt = now
        ticket.version += 1
    }
}

extension TicketRules {
    /// The requester accepts how a solved ticket was solved: it moves to the first status of
    /// category `closed` its workflow leads to from where it is. A move allowed from any status
    /// (`*`, such as a cancellation) is no acceptance, so it does not count.
    public static func confirmResolution(_ ticket: inout Ticket, map: ProcessMap, now: Date) throws -> [TicketChange] {
        guard ticket.statusCategory == .solved else {
            throw TicketError.notAllowed(
                field: "status", value: ticket.status, reason: "only a solved ticket's resolution can be confirmed; \(ticket.key) is \(ticket.status)"
            )
        }
        guard let family = map.families[ticket.family], let workflow = map.workflow(of: family),
            let closed = workflow.transitions.first(where: { $0.from == ticket.status && workflow.category(of: $0.to) == .closed })?.to
        else {
            throw TicketError.notAllowed(
                field: "status", value: ticket.status,
                reason: "the workflow of family '\(ticket.family)' leads from '\(ticket.status)' to no closed status")
        }
        return try transition(&ticket, to: closed, resolutionNote: nil, map: map, now: now)
    }
}

extension TicketRules {
    /// The key of a ticket as a person typed it: keys are written with the map's upper-case
    /// prefixes, so `chg-12` names `CHG-12`.
    public static func key(typed text: String) -> String { text.uppercased() }

    /// The custom field naming the ticket a duplicate was merged into.
    public static let duplicateOfField = "duplicate_of"

    /// Ends `duplicate` as a duplicate of `target`: it names the target (custom field
    /// `duplicate_of` and resolution note) and moves to the first status of category `closed` its
    /// workflow allows from where it is, else the first of category `solved`. A workflow with
    /// neither refuses: merging follows the map like any move (declare, say, `["*", cancelled]`).
    /// Both tickets must still be worked on.
    public static func markDuplicate(_ duplicate: inout Ticket, of target: Ticket, map: ProcessMap, now: Date) throws -> [TicketChange] {
        guard duplicate.id != target.id else {
            throw TicketError.notAllowed(field: "into", value: target.key, reason: "a ticket is not a duplicate of itself")
        }
        guard !duplicate.statusCategory.isDone else {
            throw TicketError.notAllowed(field: "status", value: duplicate.status, reason: "\(duplicate.key) is already \(duplicate.status)")
        }
        guard !target.statusCategory.isDone else {
            throw TicketError.notAllowed(
                field: "into", value: target.key, reason: "\(target.key) is \(target.status); merge into a ticket still being worked on")
        }
        guard let family = map.families[duplicate.family], let workflow = map.workflow(of: family) else {
            throw TicketError.unknownValue(field: "family", value: duplicate.family, allowed: map.families.keys.sorted())
        }
        let targets = workflow.allowedTargets(from: duplicate.status)
        guard
            let closed = targets.first(where: { workflow.category(of: $0) == .closed })
                ?? targets.first(where: { workflow.category(of: $0) == .solved })
        else {
            throw TicketError.notAllowed(
                field: "status", value: duplicate.status,
                reason:
                    "the workflow of family '\(duplicate.family)' leads from '\(duplicate.status)' to no closed or solved status, so \(duplicate.key) cannot end as a duplicate from there"
            )
        }
        var changes = [
            TicketChange(kind: .fieldChanged, field: "custom.\(duplicateOfField)", from: duplicate.customFields[duplicateOfField], to: target.key)
        ]
        duplicate.customFields[duplicateOfField] = target.key
        changes.append(TicketChange(kind: .fieldChanged, field: "resolution_note", from: duplicate.resolutionNote, to: "Duplicate of \(target.key)"))
        duplicate.resolutionNote = "Duplicate of \(target.key)"
        changes += try transition(&duplicate, to: closed, resolutionNote: duplicate.resolutionNote, map: map, now: now)
        return changes
    }
}
