import Foundation
import RelaisCore
import RelaisStore

/// Salesforce's REST API: accounts and contacts read by SOQL (`/query`, following
/// `nextRecordsUrl`); tickets upserted as Cases by the external id field `Relais_Key__c`
/// (sObject Collections, 200 a call, each record answered on its own) with `AccountId`,
/// `ContactId`, `AssetId` and `EntitlementId` from the records Relais mirrors (contracts stand for
/// entitlements); roll-ups written to custom account fields. Bearer access token of the instance.
struct SalesforceDialect: CRMDialect {
    let connection: CRMConnection
    let token: String
    var name: String { "salesforce" }
    var batchLimit: Int { 200 }
    static let version = "v61.0"

    /// Account fields the roll-up is written to (created once in Salesforce).
    static let rollupFields = [
        "Relais_Tickets__c", "Relais_Open_Tickets__c", "Relais_Open_Signals__c", "Relais_Awaiting_Fix__c",
        "Relais_Fix_Shipped__c", "Relais_Last_Ticket__c",
    ]

    func pull(_ caller: APICaller) async throws -> [(noun: String, kind: CRMObjectKind, rows: [ImportRow])] {
        let tier = connection.tierProperty.map { ", \($0)" } ?? ""
        let accounts = try await query("SELECT Id, Name, Website, AnnualRevenue\(tier) FROM Account ORDER BY Id", caller).map {
            record -> [String: String] in
            let fields = CRMSync.texts(record)
            var values = ["external_id": fields["Id"] ?? "", "name": fields["Name"] ?? "Salesforce account \(fields["Id"] ?? "")"]
            values["domain"] = fields["Website"].map(Self.domain)
            values["annual_revenue"] = fields["AnnualRevenue"].flatMap(Double.init).map { String(Int($0.rounded())) }
            values["currency"] = values["annual_revenue"] == nil ? nil : connection.currency
            if let tier = connection.tierProperty { values["tier"] = fields[tier] }
            return values
        }
        let contacts = try await query("SELECT Id, Name, Email, AccountId FROM Contact ORDER BY Id", caller).map { record -> [String: String] in
            let fields = CRMSync.texts(record)
            var values = ["external_id": fields["Id"] ?? "", "name": fields["Name"] ?? fields["Email"] ?? "Salesforce contact"]
            values["email"] = fields["Email"]
            values["account_external_id"] = fields["AccountId"]
            return values
        }
        return [("accounts", .account, Self.rows(accounts)), ("contacts", .contact, Self.rows(contacts))]
    }

    static func rows(_ values: [[String: String]]) -> [ImportRow] {
        values.enumerated().map { ImportRow(line: $0.offset + 1, values: $0.element) }
    }

    /// `https://www.helix.example/` gives `helix.example`.
    static func domain(_ website: String) -> String {
        var host = URLComponents(string: website.contains("://") ? website : "https://" + website)?.host ?? website
        if host.lowercased().hasPrefix("www.") { host = String(host.dropFirst(4)) }
        return host.lowercased()
    }

    /// Every record a SOQL query gives, following `nextRecordsUrl`.
    func query(_ soql: String, _ caller: APICaller) async throws -> [[String: Any]] {
        var records: [[String: Any]] = []
        var path: String? = "/services/data/\(Self.version)/query?" + PeerFeed.query([("q", soql)])
        while let next = path {
            let answer = try await caller.send(request("GET", next)).body
            guard let page = try? JSONSerialization.jsonObject(with: answer) as? [String: Any] else {
                throw SyncStopped(reason: "salesforce: the query answer is not a JSON object")
            }
            records += page["records"] as? [[String: Any]] ?? []
            path = page["done"] as? Bool == false ? page["nextRecordsUrl"] as? String : nil
        }
        return records
    }

    func fields(of push: CRMPushes.TicketPush) -> [String: String] {
        let ticket = push.ticket
        var fields = [
            "Relais_Key__c": ticket.key, "Subject": "[\(ticket.key)] \(ticket.title)", "Description": ticket.description,
            "AccountId": push.companyID,
        ]
        fields["Status"] = connection.stages[ticket.statusCategory]
        fields["ContactId"] = push.linked[.contact]
        fields["AssetId"] = push.linked[.asset]
        fields["EntitlementId"] = push.linked[.contract]
        switch ticket.priority {
        case "P1", "P2": fields["Priority"] = "High"
        case "P3": fields["Priority"] = "Medium"
        case "P4", "P5": fields["Priority"] = "Low"
        default: break
        }
        return fields
    }

    func send(
        tickets: [(push: CRMPushes.TicketPush, fields: [String: String])], _ caller: APICaller
    ) async throws -> (ids: [String: String], refused: [String]) {
        let records: [[String: Any]] = tickets.map { item in
            var record: [String: Any] = ["attributes": ["type": "Case"]]
            for (name, value) in item.fields { record[name] = value }
            return record
        }
        let answer = try await caller.send(
            request(
                "PATCH", "/services/data/\(Self.version)/composite/sobjects/Case/Relais_Key__c",
                body: ["allOrNone": false, "records": records])
        ).body
        let results = (try? JSONSerialization.jsonObject(with: answer)) as? [[String: Any]] ?? []
        var ids: [String: String] = [:], refused: [String] = []
        // One result per record, in the order sent.
        for (item, result) in zip(tickets, results) {
            if result["success"] as? Bool == true, let id = result["id"] as? String {
                ids[item.push.ticket.key] = id
            } else {
                refused.append("\(item.push.ticket.key): \(Self.errors(result))")
            }
        }
        if results.count < tickets.count {
            refused += tickets.dropFirst(results.count).map { "\($0.push.ticket.key): not in Salesforce's answer" }
        }
        return (ids, refused)
    }

    static func errors(_ result: [String: Any]) -> String {
        let errors = (result["errors"] as? [[String: Any]] ?? []).map { error in
            [error["statusCode"] as? String, error["message"] as? String].compactMap { $0 }.joined(separator: ": ")
        }
        return errors.isEmpty ? "refused" : errors.joined(separator: "; ")
    }

    func fields(of rollup: CRMSync.Rollup) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: zip(
                Self.rollupFields,
                [
                    String(rollup.tickets), String(rollup.open), String(rollup.openSignals),
                    String(rollup.awaitingFix), String(rollup.fixShipped), rollup.lastTicket ?? "",
                ]))
    }

    func send(rollups: [(account: String, fields: [String: String])], _ caller: APICaller) async throws -> [String: String] {
        let records: [[String: Any]] = rollups.map { item in
            var record: [String: Any] = ["attributes": ["type": "Account"], "id": item.account]
            for (name, value) in item.fields {
                record[name] = name == "Relais_Last_Ticket__c" ? value : (Int(value) as Any)
            }
            return record
        }
        let answer = try await caller.send(
            request(
                "PATCH", "/services/data/\(Self.version)/composite/sobjects",
                body: ["allOrNone": false, "records": records])
        ).body
        let results = (try? JSONSerialization.jsonObject(with: answer)) as? [[String: Any]] ?? []
        var refused: [String: String] = [:]
        for (item, result) in zip(rollups, results) where result["success"] as? Bool != true {
            refused[item.account] = Self.errors(result)
        }
        return refused
    }

    func request(_ method: String, _ path: String, body: [String: Any]? = nil) -> OutboundRequest {
        CRMSync.request(method, connection.url + path, token: token, body: body)
    }
}
