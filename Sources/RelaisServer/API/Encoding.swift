import Foundation
import RelaisCore
import RelaisStore

/// Domain values as the API's generated types.
extension RelaisAPI {
    func encode(_ ticket: Ticket) -> Components.Schemas.Ticket {
        let map = services.configuration.map
        let allowed = map.families[ticket.family].flatMap(map.workflow(of:))?.allowedTargets(from: ticket.status)
        return .init(
            id: ticket.id.text, key: ticket.key, family: ticket.family, title: ticket.title,
            description: ticket.description, status: ticket.status,
            statusCategory: Components.Schemas.StatusCategory(rawValue: ticket.statusCategory.rawValue) ?? .open,
            impact: ticket.impact, urgency: ticket.urgency, priority: ticket.priority, severity: ticket.severity,
            category: ticket.category, channel: ticket.channel, openedBy: ticket.openedBy,
            requesterId: ticket.requesterID?.text, team: ticket.team, assignee: ticket.assignee,
            level: ticket.level, tags: ticket.tags, customFields: .init(additionalProperties: ticket.customFields),
            links: ticket.links.map { .init(kind: .init(rawValue: $0.kind.rawValue) ?? .account, id: $0.id.text) },
            resolutionNote: ticket.resolutionNote, entity: ticket.entity, brand: ticket.brand, allowedTransitions: allowed,
            createdAt: ticket.createdAt, updatedAt: ticket.updatedAt, version: ticket.version)
    }

    func encode(_ account: Account) -> Components.Schemas.Account {
        .init(
            id: account.id.text, name: account.name, externalId: account.externalID,
            domain: account.domain, tier: account.tier, segment: account.segment, region: account.region,
            owner: account.owner, annualRevenue: Self.mayReadRevenue ? account.annualRevenue : nil, currency: account.currency,
            entity: account.entity, createdAt: account.createdAt)
    }

    /// What an account is worth (its revenue, the amounts of its opportunities, contracts,
    /// invoices) is shown to roles with `crm.revenue` only.
    static var mayReadRevenue: Bool {
        RequestPrincipal.current?.may(.read, .revenue) ?? false
    }

    func encode(_ contact: Contact) -> Components.Schemas.Contact {
        .init(
            id: contact.id.text, name: contact.name, email: contact.email,
            accountId: contact.accountID?.text, externalId: contact.externalID, createdAt: contact.createdAt)
    }

    func encode(_ comment: TicketComment) -> Components.Schemas.Comment {
        .init(
            id: comment.id, author: comment.author, body: comment.body, _public: comment.isPublic, channel: comment.channel,
            createdAt: comment.createdAt)
    }

    func encode(_ event: TicketEventRecord) -> Components.Schemas.Event {
        .init(
            id: event.id, sequence: event.sequence, occurredAt: event.occurredAt, actor: event.actor,
            kind: .init(rawValue: event.change.kind.rawValue) ?? .fieldChanged,
            field: event.change.field, from: event.change.from, to: event.change.to, rule: event.change.rule)
    }
}

enum MapOverviewEncoding {
    static func overview(of map: ProcessMap, version: Int) -> Components.Schemas.MapOverview {
        .init(
            organization: map.organization.name, version: version,
            families: map.families.values.sorted { $0.keyPrefix < $1.keyPrefix }.map { family in
                .init(
                    code: family.code, key: family.keyPrefix, domain: family.domain.rawValue,
                    label: .init(additionalProperties: family.label.values), openedBy: family.openedBy,
                    channels: family.channels, handledBy: family.handledBy, workflow: family.workflow, sla: family.sla,
                    crmRequire: family.crm.require.map(\.rawValue), crmAllow: family.crm.allow.map(\.rawValue))
            },
            workflows: map.workflows.values.sorted { $0.code < $1.code }.map { workflow in
                .init(
                    code: workflow.code, initial: workflow.initial,
                    statuses: workflow.statusOrder.map { .init(name: $0, category: .init(rawValue: workflow.statuses[$0]!.rawValue) ?? .open) },
                    transitions: workflow.transitions.map { .init(from: $0.from, to: $0.to) })
            },
            teams: map.teams.values.sorted { ($0.level, $0.code) < ($1.level, $1.code) }.map {
                .init(code: $0.code, level: $0.level, escalatesTo: $0.escalatesTo, entity: $0.entity)
            },
            entities: map.entityOrder.compactMap { map.entities[$0] }.map { entity in
                .init(
                    code: entity.code, name: entity.name,
                    brands: entity.brands.compactMap { map.brands[$0] }.map { brand in
                        .init(
                            code: brand.code, name: brand.name, portalName: brand.portalName, mail: brand.mail,
                            language: brand.language, timezone: brand.timezone)
                    })
            },
            trackers: map.trackers.keys.sorted().compactMap { map.trackers[$0] }.map { tracker in
                .init(name: tracker.name, kind: .init(rawValue: tracker.kind.rawValue) ?? .github, project: tracker.project, onFixed: tracker.onFixed)
            })
    }
}

extension RelaisAPI {
    func encode(_ record: CRMRecord) -> Components.Schemas.Record {
        .init(
            id: record.id.text, kind: .init(rawValue: record.kind.rawValue) ?? .asset,
            accountId: record.accountID?.text, externalId: record.externalID, name: record.name, number: record.number,
            product: record.product, stage: record.stage, status: record.status, slaLevel: record.slaLevel, serialNumber: record.serialNumber,
            amount: Self.mayReadRevenue ? record.amountCents.map(Money.text(cents:)) : nil, currency: record.currency, quantity: record.quantity,
            startDate: record.startDate?.description, endDate: record.endDate?.description, renewalDate: record.renewalDate?.description,
            closeDate: record.closeDate?.description, dueDate: record.dueDate?.description,
            createdAt: record.createdAt, updatedAt: record.updatedAt)
    }

    func encode(_ signal: Signal) -> Components.Schemas.Signal {
        .init(
            id: signal.id.text, rule: signal.rule, subject: signal.subject, accountId: signal.accountID?.text,
            group: signal.group, status: .init(rawValue: signal.status.rawValue) ?? .open, openedAt: signal.openedAt, closedAt: signal.closedAt,
            evidence: signal.evidence, task: signal.taskKey)
    }

    func encode(_ brief: TicketBrief) -> Components.Schemas.TicketBrief {
        .init(
            key: brief.key, title: brief.title, family: brief.family, severity: brief.severity, status: brief.status,
            statusCategory: .init(rawValue: brief.statusCategory.rawValue) ?? .open, createdAt: brief.createdAt)
    }

    func encode(_ overview: AccountOverview) -> Components.Schemas.AccountOverview {
        func counts(_ values: [String: Int]) -> Components.Schemas.Counts {
            .init(additionalProperties: Dictionary(uniqueKeysWithValues: values.map { ($0.key.isEmpty ? "none" : $0.key, $0.value) }))
        }
        return .init(
            account: encode(overview.account), from: overview.from, to: overview.to, tickets: overview.tickets,
            byFamily: counts(overview.byFamily), bySeverity: counts(overview.bySeverity), byStatusCategory: counts(overview.byStatusCategory),
            sla: .init(met: overview.slaMet, breached: overview.slaBreached, compliance: overview.slaCompliance),
            resolution: .init(meanHours: overview.meanResolutionHours, medianHours: overview.medianResolutionHours),
            satisfaction: .init(ratings: overview.ratings, meanScore: overview.meanSatisfaction),
            openCritical: overview.openCritical.map(encode), latest: overview.latest.map(encode),
            openSignals: overview.openSignals.map(encode), records: overview.records.map(encode),
            nextRenewal: overview.nextRenewal?.description)
    }
}
