import Foundation
import RelaisCore
import RelaisStore

/// HubSpot's CRM API: companies, contacts and deals read page after page (`paging.next.after`)
/// as accounts, contacts and opportunities; tickets batch upserted by the unique property
/// `relais_key` in the connector's pipeline and stage, then associated with their company
/// (associations v4); roll-ups written as company properties. Bearer token of a private app.
struct HubSpotDialect: CRMDialect {
    let connection: CRMConnection
    let token: String
    let pageSize: Int
    var name: String { "hubspot" }
    var batchLimit: Int { 100 }

    func pull(_ caller: APICaller) async throws -> [(noun: String, kind: CRMObjectKind, rows: [ImportRow])] {
        [
            (
                "companies", .account,
                try await read(
                    "companies", properties: ["name", "domain", "annualrevenue"] + [connection.tierProperty].compactMap { $0 },
                    caller, row: company)
            ),
            (
                "contacts", .contact,
                try await read("contacts", properties: ["email", "firstname", "lastname"], associations: "companies", caller, row: contact)
            ),
            (
                "deals", .opportunity,
                try await read(
                    "deals", properties: ["dealname", "dealstage", "amount", "closedate", "deal_currency_code"],
                    associations: "companies", caller, row: deal)
            ),
        ]
    }

    /// Every object of `object`, page after page, as import rows.
    func read(
        _ object: String, properties: [String], associations: String? = nil, _ caller: APICaller,
        row: ([String: Any]) -> [String: String]?
    ) async throws -> [ImportRow] {
        var rows: [ImportRow] = []
        var after: String?
        repeat {
            var items = [("limit", String(pageSize)), ("properties", properties.joined(separator: ","))]
            if let associations { items.append(("associations", associations)) }
            if let after { items.append(("after", after)) }
            let answer = try await caller.send(request("GET", "/crm/v3/objects/\(object)?" + PeerFeed.query(items))).body
            guard let page = try? JSONSerialization.jsonObject(with: answer) as? [String: Any] else {
                throw SyncStopped(reason: "hubspot: the \(object) answer is not a JSON object")
            }
            for result in page["results"] as? [[String: Any]] ?? [] {
                if let values = row(result) { rows.append(ImportRow(line: rows.count + 1, values: values)) }
            }
            after = ((page["paging"] as? [String: Any])?["next"] as? [String: Any])?["after"] as? String
        } while after != nil
        return rows
    }

    static func firstCompany(_ object: [String: Any]) -> String? {
        let results = ((object["associations"] as? [String: Any])?["companies"] as? [String: Any])?["results"] as? [[String: Any]]
        return results?.first.flatMap { PeerJSON.text($0["id"]) }
    }

    func company(_ object: [String: Any]) -> [String: String]? {
        guard let id = PeerJSON.text(object["id"]) else { return nil }
        let properties = CRMSync.texts(object["properties"] as? [String: Any])
        var values = ["external_id": id, "name": properties["name"] ?? "HubSpot company \(id)"]
        values["domain"] = properties["domain"]
        // HubSpot keeps revenue as a decimal text.
        values["annual_revenue"] = properties["annualrevenue"].flatMap(Double.init).map { String(Int($0.rounded())) }
        if let tier = connection.tierProperty { values["tier"] = properties[tier] }
        return values
    }

    func contact(_ object: [String: Any]) -> [String: String]? {
        guard let id = PeerJSON.text(object["id"]) else { return nil }
        let properties = CRMSync.texts(object["properties"] as? [String: Any])
        let name = [properties["firstname"], properties["lastname"]].compactMap { $0 }.joined(separator: " ")
        var values = ["external_id": id, "name": name.isEmpty ? properties["email"] ?? "HubSpot contact \(id)" : name]
        values["email"] = properties["email"]
        values["account_external_id"] = Self.firstCompany(object)
        return values
    }

    func deal(_ object: [String: Any]) -> [String: String]? {
        guard let id = PeerJSON.text(object["id"]) else { return nil }
        let properties = CRMSync.texts(object["properties"] as? [String: Any])
        var values = ["external_id": id, "name": properties["dealname"] ?? "HubSpot deal \(id)", "stage": properties["dealstage"] ?? "unknown"]
        values["amount"] = properties["amount"]
        values["currency"] = properties["deal_currency_code"] ?? connection.currency
        values["close_date"] = properties["closedate"].map { String($0.prefix(10)) }
        values["account_external_id"] = Self.firstCompany(object)
        return values
    }

    func fields(of push: CRMPushes.TicketPush) -> [String: String] {
        let ticket = push.ticket
        var properties = [
            "relais_key": ticket.key, "subject": "[\(ticket.key)] \(ticket.title)", "content": ticket.description,
            "hs_pipeline": connection.pipeline,
        ]
        properties["hs_pipeline_stage"] = connection.stages[ticket.statusCategory]
        switch ticket.priority {
        case "P1", "P2": properties["hs_ticket_priority"] = "HIGH"
        case "P3": properties["hs_ticket_priority"] = "MEDIUM"
        case "P4", "P5": properties["hs_ticket_priority"] = "LOW"
        default: break
        }
        return properties
    }

    func send(
        tickets: [(push: CRMPushes.TicketPush, fields: [String: String])], _ caller: APICaller
    ) async throws -> (ids: [String: String], refused: [String]) {
        let inputs: [[String: Any]] = tickets.map { item in
            ["idProperty": "relais_key", "id": item.push.ticket.key, "properties": item.fields]
        }
        let answer = try await caller.send(request("POST", "/crm/v3/objects/tickets/batch/upsert", body: ["inputs": inputs])).body
        var ids: [String: String] = [:]
        let results = (try? JSONSerialization.jsonObject(with: answer) as? [String: Any])?["results"] as? [[String: Any]] ?? []
        for result in results {
            if let id = PeerJSON.text(result["id"]), let key = CRMSync.texts(result["properties"] as? [String: Any])["relais_key"] { ids[key] = id }
        }
        // Each ticket is associated with its company, and with the contact, deal and subscription
        // it is linked to when HubSpot knows them (associations v4, default type, one batch per kind).
        let targets: [(type: String, id: (CRMPushes.TicketPush) -> String?)] = [
            ("company", { $0.companyID }), ("contact", { $0.linked[.contact] }), ("deal", { $0.linked[.opportunity] }),
            ("subscription", { $0.linked[.subscription] }),
        ]
        for target in targets {
            let associations: [[String: Any]] = tickets.compactMap { item in
                guard let from = ids[item.push.ticket.key], let to = target.id(item.push) else { return nil }
                return ["from": ["id": from], "to": ["id": to]]
            }
            if !associations.isEmpty {
                _ = try await caller.send(
                    request("POST", "/crm/v4/associations/ticket/\(target.type)/batch/associate/default", body: ["inputs": associations]))
            }
        }
        let refused = tickets.filter { ids[$0.push.ticket.key] == nil }.map { "\($0.push.ticket.key): not in HubSpot's answer" }
        return (ids, refused)
    }

    func fields(of rollup: CRMSync.Rollup) -> [String: String] {
        [
            "relais_tickets": String(rollup.tickets), "relais_open_tickets": String(rollup.open), "relais_open_signals": String(rollup.openSignals),
            "relais_awaiting_fix": String(rollup.awaitingFix), "relais_fix_shipped": String(rollup.fixShipped),
            "relais_last_ticket": rollup.lastTicket ?? "",
        ]
    }

    func send(rollups: [(account: String, fields: [String: String])], _ caller: APICaller) async throws -> [String: String] {
        _ = try await caller.send(
            request(
                "POST", "/crm/v3/objects/companies/batch/update",
                body: ["inputs": rollups.map { ["id": $0.account, "properties": $0.fields] as [String: Any] }]))
        return [:]
    }

    func request(_ method: String, _ path: String, body: [String: Any]? = nil) -> OutboundRequest {
        CRMSync.request(method, connection.url + path, token: token, body: body)
    }
}
