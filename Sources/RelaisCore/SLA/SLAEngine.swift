/// A map's SLA side made ready to run: calendars unrolled once, and the rules that choose a
/// ticket's policy and read its history.
public struct SLAEngine: Sendable {
    public let map: ProcessMap
    public let timelines: [String: CalendarTimeline]

    public init(map: ProcessMap) {
        self.map = map
        // The map loader refuses unknown time zones, so every calendar unrolls.
        timelines = map.calendars.compactMapValues { $0.timeline() }
    }

    /// The policy for a ticket of `family`: the contract's SLA level first, then the account's
    /// tier, then the family's own.
    public func policy(family: String, tier: String?, contractLevel: String?) -> SLAPolicy? {
        guard let definition = map.families[family] else { return nil }
        let code =
            contractLevel.flatMap { definition.slaByContract[$0] }
            ?? tier.flatMap { definition.slaByTier[$0] }
            ?? definition.sla
        return code.flatMap { map.sla[$0] }
    }

    public func timeline(for policy: SLAPolicy) -> CalendarTimeline? { timelines[policy.calendar] }

    /// The category of `status` in `family`'s workflow.
    public func category(of status: String, family: String) -> StatusCategory {
        map.families[family].flatMap { map.workflows[$0.workflow]?.category(of: status) } ?? .open
    }

    /// History entries that can move a clock: these kinds, and `field_changed` on these fields.
    /// The store reads only them.
    public static let clockKinds: [TicketChange.Kind] = [.created, .statusChanged, .commented]
    public static let clockFields = ["priority"]

    /// Whether recording `changes` can change a ticket's SLA: they move a clock, or change the
    /// account (whose tier may choose the policy).
    public static func mayChangeSLA(_ changes: [TicketChange]) -> Bool {
        changes.contains { change in
            clockKinds.contains(change.kind) || change.kind == .linked || change.kind == .unlinked
                || (change.kind == .fieldChanged && change.field.map(clockFields.contains) == true)
        }
    }

    /// The policy that governs a ticket: the one the map selects now, unless the ticket has one
    /// applied that differs, asks to be kept (`on_policy_change: keep`), and the ticket is still
    /// open on a calendar the map still has.
    public func governing(selected: SLAPolicy?, applied: SLAPolicy?, ticketOpen: Bool) -> SLAPolicy? {
        guard let applied, applied != selected, applied.onPolicyChange == .keep, ticketOpen, timelines[applied.calendar] != nil else {
            return selected
        }
        return applied
    }

    /// Reads one history entry as the clock sees it; nil for entries that do not move a clock.
    /// A creation carries `openingPriority`: the history does not repeat it.
    public func event(_ change: TicketChange, at instant: Int64, family: String, openingPriority: String?) -> SLAEvent? {
        switch change.kind {
        case .created:
            let status = change.to ?? ""
            return SLAEvent(at: instant, .opened(status: status, category: category(of: status, family: family), priority: openingPriority))
        case .statusChanged:
            guard let status = change.to else { return nil }
            return SLAEvent(at: instant, .status(status, category: category(of: status, family: family)))
        case .fieldChanged where change.field == "priority":
            return SLAEvent(at: instant, .priority(change.to))
        case .commented:
            return SLAEvent(at: instant, .reply(byRequester: change.to == TicketChange.requesterAuthor, isPublic: change.field == "public"))
        default:
            return nil
        }
    }

    /// Evaluates a ticket's history. The priority it opened with is the first priority change's
    /// `from`, or, when there was none, the ticket's current `priority`.
    public func evaluate(
        _ changes: [(at: Int64, change: TicketChange)], family: String, priority: String?, policy: SLAPolicy, now: Int64
    ) -> SLAState? {
        guard let timeline = timeline(for: policy) else { return nil }
        let opening = changes.first { $0.change.kind == .fieldChanged && $0.change.field == "priority" }.map(\.change.from) ?? priority
        let events = changes.compactMap { event($0.change, at: $0.at, family: family, openingPriority: opening) }
        return SLAClock.evaluate(events, policy: policy, timeline: timeline, now: now)
    }
}
