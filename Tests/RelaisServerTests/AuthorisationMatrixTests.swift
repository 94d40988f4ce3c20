import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisAPIDocument
import RelaisCore
import RelaisServer
import RelaisStore
import RelaisTestSupport
import Testing
import Yams

/// Every operation of the OpenAPI document, called by nobody, a requester, an agent, an
/// administrator and an administrator of another organisation, on this organisation's resources
/// (and, for requesters, on their own ticket). The expected access of each operation is written
/// below; an operation the document has and this table lacks fails the test, so a new route
/// cannot go unchecked.
@Suite struct AuthorisationMatrixTests {
    /// Who may call an operation at all; services may refuse more (a requester's ticket that is not theirs).
    enum Access: Int, Comparable, Sendable {
        case open, requester, agent, admin, channel
        static func < (lhs: Access, rhs: Access) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    struct Call: Sendable {
        var access: Access
        /// With {ticket}, {account}, {contact}, {contract}, {article}, {item}, {relation}, {endpoint}, {proposal}, {unknown}.
        var path: String
        var body: String?
        var contentType = "application/json"
        /// The same call on the requester's own ticket, for operations requesters may use on it.
        var ownTicket = false
        /// What a role of the map must hold beyond being an agent's.
        var permission: String?
    }

    static let ticket = #"{"family":"incident","title":"Printer","impact":"low","urgency":"low","links":[{"kind":"account","id":"{account}"}]}"#
    static let csv = "case_id,activity,timestamp\nA,open,2026-01-01T10:00:00Z\nA,close,2026-01-01T11:00:00Z\n"

    static let calls: [String: Call] = [
        "getHealth": Call(access: .open, path: "/healthz"),
        "getMap": Call(access: .requester, path: "/api/v1/map"),
        "listMapVersions": Call(access: .agent, path: "/api/v1/map/versions"),
        "proposeMapVersion": Call(access: .agent, path: "/api/v1/map/versions", body: #"{"text":"families: {}","message":"x"}"#),
        "getMapVersion": Call(access: .agent, path: "/api/v1/map/versions/{proposal}"),
        "diffMapVersion": Call(access: .agent, path: "/api/v1/map/versions/{proposal}/diff"),
        "approveMapVersion": Call(access: .admin, path: "/api/v1/map/versions/{proposal}/approve", body: "{}"),
        "rejectMapVersion": Call(access: .admin, path: "/api/v1/map/versions/{proposal}/reject", body: "{}"),
        "applyMapVersion": Call(access: .admin, path: "/api/v1/map/versions/{proposal}/apply"),
        "rollbackMapVersion": Call(access: .admin, path: "/api/v1/map/versions/1/rollback", body: "{}"),
        "createTicket": Call(access: .requester, path: "/api/v1/tickets", body: ticket, permission: "tickets.write"),
        "listTickets": Call(access: .requester, path: "/api/v1/tickets"),
        "getTicket": Call(access: .requester, path: "/api/v1/tickets/{ticket}", ownTicket: true),
        "updateTicket": Call(access: .agent, path: "/api/v1/tickets/{ticket}", body: #"{"title":"Printer on fire"}"#, permission: "tickets.write"),
        "transitionTicket": Call(
            access: .agent, path: "/api/v1/tickets/{ticket}/transitions", body: #"{"to":"assigned"}"#, permission: "tickets.write"),
        "addComment": Call(
            access: .requester, path: "/api/v1/tickets/{ticket}/comments", body: #"{"body":"Any news?"}"#, ownTicket: true,
            permission: "tickets.write"),
        "listComments": Call(access: .requester, path: "/api/v1/tickets/{ticket}/comments", ownTicket: true),
        "listTicketEvents": Call(access: .requester, path: "/api/v1/tickets/{ticket}/events", ownTicket: true),
        "getTicketSLA": Call(access: .requester, path: "/api/v1/tickets/{ticket}/sla", ownTicket: true),
        "rateTicket": Call(
            access: .requester, path: "/api/v1/tickets/{ticket}/rating", body: #"{"score":4}"#, ownTicket: true, permission: "tickets.write"),
        "answerResolution": Call(
            access: .requester, path: "/api/v1/tickets/{ticket}/resolution", body: #"{"accepted":true}"#, ownTicket: true, permission: "tickets.write"
        ),
        "mergeTicket": Call(access: .agent, path: "/api/v1/tickets/{ticket}/merge", body: #"{"into":"INC-999999"}"#, permission: "tickets.write"),
        "listSLADue": Call(access: .agent, path: "/api/v1/sla/due"),
        "listSLABreached": Call(access: .agent, path: "/api/v1/sla/breached"),
        "getSLAReport": Call(access: .agent, path: "/api/v1/reports/sla", permission: "reports.view"),
        "createAccount": Call(access: .agent, path: "/api/v1/accounts", body: #"{"name":"Initech"}"#, permission: "crm.write"),
        "listAccounts": Call(access: .agent, path: "/api/v1/accounts", permission: "crm.read"),
        "getAccount": Call(access: .agent, path: "/api/v1/accounts/{account}", permission: "crm.read"),
        "updateAccount": Call(access: .agent, path: "/api/v1/accounts/{account}", body: #"{"tier":"strategic"}"#, permission: "crm.write"),
        "getAccountOverview": Call(access: .agent, path: "/api/v1/accounts/{account}/overview", permission: "crm.read"),
        "getAccountRollup": Call(access: .agent, path: "/api/v1/accounts/{account}/rollup", permission: "crm.read"),
        "upsertAccount": Call(access: .agent, path: "/api/v1/accounts/external/SF-9", body: #"{"name":"Umbrella"}"#, permission: "crm.write"),
        "createContact": Call(access: .agent, path: "/api/v1/contacts", body: #"{"name":"Jo"}"#, permission: "crm.write"),
        "listContacts": Call(access: .agent, path: "/api/v1/contacts", permission: "crm.read"),
        "getContact": Call(access: .agent, path: "/api/v1/contacts/{contact}", permission: "crm.read"),
        "createRecord": Call(
            access: .agent, path: "/api/v1/crm/contracts", body: #"{"name":"Support plan","start_date":"2026-01-01","account_id":"{account}"}"#,
            permission: "crm.write"),
        "listRecords": Call(access: .agent, path: "/api/v1/crm/contracts", permission: "crm.read"),
        "getRecord": Call(access: .agent, path: "/api/v1/crm/contracts/{contract}", permission: "crm.read"),
        "updateRecord": Call(access: .agent, path: "/api/v1/crm/contracts/{contract}", body: #"{"name":"Gold plan"}"#, permission: "crm.write"),
        "deleteRecord": Call(access: .agent, path: "/api/v1/crm/contracts/{contract}", permission: "crm.write"),
        "upsertRecord": Call(
            access: .agent, path: "/api/v1/crm/contracts/external/C-9", body: #"{"name":"Plan","start_date":"2026-01-01","account_id":"{account}"}"#,
            permission: "crm.write"),
        "importCRM": Call(
            access: .agent, path: "/api/v1/imports/accounts", body: "external_id,name\nX-1,Hooli\n", contentType: "text/csv", permission: "crm.write"),
        "listSignals": Call(access: .agent, path: "/api/v1/signals", permission: "crm.read"),
        "getCRMReport": Call(access: .agent, path: "/api/v1/reports/crm/revenue-incidents", permission: "reports.view"),
        "mineProcess": Call(access: .agent, path: "/api/v1/process/mining", permission: "reports.view"),
        "mineEventLog": Call(access: .agent, path: "/api/v1/process/mining", body: csv, contentType: "text/csv", permission: "reports.view"),
        "exportProcessLog": Call(access: .agent, path: "/api/v1/process/log", permission: "reports.view"),
        "listArticles": Call(access: .requester, path: "/api/v1/kb/articles"),
        "createArticle": Call(
            access: .agent, path: "/api/v1/kb/articles", body: #"{"title":"Reset a password","body":"Go to settings."}"#, permission: "kb.write"),
        "getArticle": Call(access: .requester, path: "/api/v1/kb/articles/{article}"),
        "updateArticle": Call(
            access: .agent, path: "/api/v1/kb/articles/{article}", body: #"{"title":"Reset your password"}"#, permission: "kb.write"),
        "listArticleVersions": Call(access: .agent, path: "/api/v1/kb/articles/{article}/versions"),
        "recordDeflection": Call(access: .requester, path: "/api/v1/kb/articles/{article}/deflections", body: "{}"),
        "searchArticles": Call(access: .requester, path: "/api/v1/kb/search?q=password"),
        "suggestArticles": Call(access: .requester, path: "/api/v1/kb/suggestions?subject=password"),
        "getKnowledgeReport": Call(access: .agent, path: "/api/v1/kb/report", permission: "reports.view"),
        "listTicketArticles": Call(access: .requester, path: "/api/v1/tickets/{ticket}/articles", ownTicket: true),
        "writeArticleFromTicket": Call(access: .agent, path: "/api/v1/tickets/{ticket}/articles", body: "{}", permission: "kb.write"),
        "tieArticleToTicket": Call(access: .agent, path: "/api/v1/tickets/{ticket}/articles/{article}", permission: "kb.write"),
        "listConfigItems": Call(access: .agent, path: "/api/v1/cmdb/items"),
        "createConfigItem": Call(access: .agent, path: "/api/v1/cmdb/items", body: #"{"type":"server","name":"srv-9"}"#, permission: "cmdb.write"),
        "getConfigItem": Call(access: .agent, path: "/api/v1/cmdb/items/{item}"),
        "updateConfigItem": Call(access: .agent, path: "/api/v1/cmdb/items/{item}", body: #"{"status":"retired"}"#, permission: "cmdb.write"),
        "listItemRelations": Call(access: .agent, path: "/api/v1/cmdb/items/{item}/relations"),
        "listItemTickets": Call(access: .agent, path: "/api/v1/cmdb/items/{item}/tickets"),
        "getItemImpact": Call(access: .agent, path: "/api/v1/cmdb/items/{item}/impact"),
        "createConfigRelation": Call(
            access: .agent, path: "/api/v1/cmdb/relations", body: #"{"source_id":"{item}","type":"depends_on","target_id":"{item2}"}"#,
            permission: "cmdb.write"),
        "deleteConfigRelation": Call(access: .agent, path: "/api/v1/cmdb/relations/{relation}", permission: "cmdb.write"),
        "listTicketItems": Call(access: .agent, path: "/api/v1/tickets/{ticket}/items"),
        "listTicketEscalations": Call(access: .agent, path: "/api/v1/tickets/{ticket}/escalations"),
        "escalateTicket": Call(
            access: .agent, path: "/api/v1/tickets/{ticket}/escalations", body: #"{"tracker":"product"}"#, permission: "tickets.write"),
        "tieTicketItems": Call(access: .agent, path: "/api/v1/tickets/{ticket}/items", body: #"{"add":["{item}"]}"#, permission: "cmdb.write"),
        "listWebhookEventTypes": Call(access: .requester, path: "/api/v1/webhooks/event_types"),
        "listWebhookEndpoints": Call(access: .admin, path: "/api/v1/webhooks/endpoints"),
        "createWebhookEndpoint": Call(
            access: .admin, path: "/api/v1/webhooks/endpoints", body: #"{"url":"https://hooks.example.com/x","event_types":["relais.ticket.*"]}"#),
        "getWebhookEndpoint": Call(access: .admin, path: "/api/v1/webhooks/endpoints/{endpoint}"),
        "updateWebhookEndpoint": Call(access: .admin, path: "/api/v1/webhooks/endpoints/{endpoint}", body: #"{"description":"x"}"#),
        "deleteWebhookEndpoint": Call(access: .admin, path: "/api/v1/webhooks/endpoints/{endpoint}"),
        "rotateWebhookSecret": Call(access: .admin, path: "/api/v1/webhooks/endpoints/{endpoint}/rotate_secret"),
        "listWebhookDeliveries": Call(access: .admin, path: "/api/v1/webhooks/endpoints/{endpoint}/deliveries"),
        "listWebhookAttempts": Call(access: .admin, path: "/api/v1/webhooks/endpoints/{endpoint}/attempts"),
        "listDeadLetters": Call(access: .admin, path: "/api/v1/webhooks/dead_letters"),
        "replayDeadLetters": Call(access: .admin, path: "/api/v1/webhooks/dead_letters/replay", body: "{}"),
        "replayDeadLetter": Call(access: .admin, path: "/api/v1/webhooks/dead_letters/{unknown}/replay"),
        "receiveMail": Call(
            access: .admin, path: "/api/v1/mail/messages",
            body: "From: a@example.com\r\nTo: it@acme.example\r\nSubject: Hi\r\nMessage-ID: <m1@example.com>\r\n\r\nHello\r\n",
            contentType: "message/rfc822"),
        "listQuarantinedMail": Call(access: .agent, path: "/api/v1/mail/quarantine"),
        "retryQuarantinedMail": Call(access: .agent, path: "/api/v1/mail/quarantine/{unknown}/retry"),
        "listAuditEntries": Call(access: .admin, path: "/api/v1/audit"),
        "listUsers": Call(access: .admin, path: "/api/v1/users"),
        "createUser": Call(access: .admin, path: "/api/v1/users", body: #"{"name":"matrix-user","role":"agent"}"#),
        "updateUser": Call(access: .admin, path: "/api/v1/users/{agentName}", body: #"{"teams":["it-l1"]}"#),
        "listChannels": Call(access: .admin, path: "/api/v1/channels"),
        "issueChannelToken": Call(access: .admin, path: "/api/v1/channels/chat/token"),
        "revokeChannelToken": Call(access: .admin, path: "/api/v1/channels/chat/token"),
        "receiveChannelMessage": Call(
            access: .channel, path: "/api/v1/channels/chat/messages", body: #"{"conversation_id":"c1","sender":{"name":"Ann"},"text":"Hi"}"#),
    ]

    /// The document's operations: id, method and path.
    static func operations() throws -> [(id: String, method: HTTPRequest.Method, path: String)] {
        let document = try #require(try Yams.load(yaml: String(decoding: try APIDocument.load(), as: UTF8.self)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations: [(String, HTTPRequest.Method, String)] = []
        for (path, item) in paths {
            for (method, value) in item where method != "parameters" {
                let operation = try #require(value as? [String: Any])
                operations.append((try #require(operation["operationId"] as? String), try #require(HTTPRequest.Method(method.uppercased())), path))
            }
        }
        return operations.sorted { $0.0 < $1.0 }
    }

    @Test func everyOperationOfTheDocumentIsInTheTable() throws {
        let operations = try Self.operations()
        #expect(operations.count > 80)
        let missing = operations.map(\.id).filter { Self.calls[$0] == nil }
        #expect(missing.isEmpty, "operations without an expected access: \(missing)")
        let stale = Set(Self.calls.keys).subtracting(operations.map(\.id))
        #expect(stale.isEmpty, "table entries for operations the document no longer has: \(stale)")
        for operation in operations {
            guard let call = Self.calls[operation.id] else { continue }
            // The table's path must be the document's, its placeholders filled.
            let pattern =
                "^"
                + NSRegularExpression.escapedPattern(for: operation.path)
                .replacingOccurrences(of: #"\\\{[a-z_]+\\\}"#, with: "[^/]+", options: .regularExpression) + "$"
            let bare = String(call.path.split(separator: "?")[0])
            #expect(bare.range(of: pattern, options: .regularExpression) != nil, "\(operation.id): \(call.path) is not \(operation.path)")
        }
    }

    @Test(arguments: Engine.available)
    func everyOperationRefusesWhoItMustAndLeaksNothingAcrossOrganisations(engine: Engine) async throws {
        let operations = try Self.operations()
        try await APIHarness.with(engine) { api, client in
            var values = try await Self.seed(api, client)
            // What only this organisation's data holds (an id a request names may come back in its refusal).
            let markers = ["Helix Pharma", "Jo Seeded", api.services.organization.id.text, "srv-seeded"]
            // Callers, each with the permissions a role of the map holds (nil: all its level has),
            // and the seeded resources out of their reach (named in a path: 404; in a list: absent).
            struct Caller {
                var name: String, token: String?, access: Access?
                var held: Set<String>? = nil
                var hidden: [String] = []
                /// Operations refused for what they would make: a ticket or an account of the
                /// default entity, which the caller is not granted.
                var refused: Set<String> = []
            }
            let directory = api.services.directory, org = api.services.organization.id
            func user(_ name: String, role: String, teams: [String] = [], entities: [String] = []) async throws -> String {
                let user = try await directory.addUser(organizationID: org, name: name, email: nil, roleName: role)
                try await directory.setTeams(teams, of: user)
                try await directory.setEntities(entities, of: user)
                return try await directory.createToken(for: user)
            }
            let itAgent: Set<String> = ["tickets.write", "crm.read", "kb.write", "cmdb.write"]
            let teamMember: Set<String> = ["tickets.write", "crm.read", "kb.write"]
            let ada = try #require(try await directory.user(organizationID: org, name: "ada"))
            let seededTeam = try #require(try await api.services.tickets.find(key: values["ticket"]!, by: ada).team)
            let callers: [Caller] = [
                Caller(name: "nobody", token: nil, access: nil),
                Caller(name: "requester", token: api.requester, access: .requester),
                Caller(name: "agent", token: api.agent, access: .agent),
                // A role of the map limited to families and teams (the demo map's it-agent).
                Caller(name: "it-agent", token: try await user("ivan", role: "it-agent"), access: .agent, held: itAgent),
                // `teams: mine`: a member of the seeded ticket's team, and one of another team.
                Caller(name: "own-team", token: try await user("tess", role: "team-member", teams: [seededTeam]), access: .agent, held: teamMember),
                Caller(
                    name: "other-team", token: try await user("otto", role: "team-member", teams: ["billing"]), access: .agent, held: teamMember,
                    hidden: ["ticket"]),
                // Agents granted a legal entity: the seeded ticket and account are the default
                // entity's (acme-sas), and so are the account's contact and contract.
                Caller(name: "own-entity", token: try await user("olga", role: "agent", entities: ["acme-sas"]), access: .agent),
                Caller(
                    name: "other-entity", token: try await user("bert", role: "agent", entities: ["boltline"]), access: .agent,
                    hidden: ["ticket", "account", "contact", "contract"], refused: ["createTicket", "createAccount"]),
                Caller(name: "outsider", token: api.outsider, access: nil),
                Caller(
                    name: "foreign channel",
                    token: try await ChannelTokens(database: api.services.database)
                        .issue(channel: "chat", organizationID: api.outsiderOrganization, by: nil), access: nil),
                Caller(name: "admin", token: api.admin, access: .admin),
            ]
            for operation in operations {
                guard let call = Self.calls[operation.id] else { continue }
                func fill(_ text: String, ticket: String) -> String {
                    var filled = text.replacingOccurrences(of: "{ticket}", with: ticket)
                    for (key, value) in values { filled = filled.replacingOccurrences(of: "{\(key)}", with: value) }
                    return filled
                }
                for caller in callers {
                    let foreign = caller.name == "outsider" || caller.name == "foreign channel"
                    let before = foreign ? try await Self.fingerprint(api) : [:]
                    let response = try await client.send(
                        operation.method, fill(call.path, ticket: values["ticket"]!), token: caller.token,
                        body: call.body.map { fill($0, ticket: values["ticket"]!) }, contentType: call.contentType)
                    let status = response.status.code
                    let context = "\(operation.id) as \(caller.name): \(status) \(response.text.prefix(300))"
                    #expect(status < 500, "\(context)")
                    if foreign {
                        // Nothing of this organisation changed.
                        #expect(try await Self.fingerprint(api) == before, "\(context)")
                    }
                    switch (caller.name, caller.access) {
                    case ("nobody", _):
                        #expect(call.access == .open ? status != 401 : status == 401, "\(context)")
                    case ("outsider", _), ("foreign channel", _):
                        // A credential of another organisation on the same database is no
                        // credential here, and sees none of this organisation's data.
                        #expect(!markers.contains { response.text.contains($0) }, "\(context)")
                        #expect(call.access == .open ? status != 401 : status == 401, "\(context)")
                    case let (_, access?):
                        var lacks = false
                        if let permission = call.permission, let held = caller.held { lacks = !held.contains(permission) }
                        if call.access == .open {
                            #expect(status != 401 && status != 403, "\(context)")
                        } else if call.access == .channel || access < call.access || lacks || caller.refused.contains(operation.id) {
                            #expect(status == 403, "\(context)")
                            #expect(response.headers[.contentType] == "application/problem+json", "\(context)")
                        } else if caller.hidden.contains(where: { call.path.contains("{\($0)}") }) {
                            #expect(status == 404, "\(context)")
                        } else {
                            #expect(status != 401 && status != 403, "\(context)")
                        }
                        // What is out of reach is in no answer (a refusal may repeat the id its path named).
                        if operation.method == .get {
                            let leaks: [String: String] = [
                                "ticket": "\"\(values["ticket"]!)\"", "contact": "Jo Seeded", "contract": values["contract"]!,
                            ]
                            for (hidden, marker) in leaks where caller.hidden.contains(hidden) && !call.path.contains("{\(hidden)}") {
                                #expect(!response.text.contains(marker), "\(context)")
                            }
                        }
                    default:
                        break
                    }
                }
                // Requesters on their own ticket, where they may act on it; on another's, it does not exist.
                if call.ownTicket {
                    let own = try await client.send(
                        operation.method, fill(call.path, ticket: values["own"]!), token: api.requester,
                        body: call.body.map { fill($0, ticket: values["own"]!) }, contentType: call.contentType)
                    #expect(
                        own.status.code < 400 || own.status == .conflict || own.status == .unprocessableContent,
                        "\(operation.id) as requester on their own ticket: \(own.status.code) \(own.text.prefix(300))")
                    let theirs = try await client.send(
                        operation.method, fill(call.path, ticket: values["ticket"]!), token: api.requester,
                        body: call.body.map { fill($0, ticket: values["ticket"]!) }, contentType: call.contentType)
                    #expect(
                        theirs.status == .notFound,
                        "\(operation.id) as requester on another's ticket: \(theirs.status.code) \(theirs.text.prefix(300))")
                }
                // Resources a call removed are made again for the next one.
                values = try await Self.reseed(values, api, client)
            }
        }
    }

    /// How many rows of each kind this organisation holds, and the latest change of its tickets,
    /// map versions and webhook endpoints: equal before and after a call that must change nothing.
    static func fingerprint(_ api: APIHarness) async throws -> [String: Int] {
        let org = api.services.organization.id.text
        let tables = [
            "tickets", "ticket_events", "ticket_comments", "map_versions", "webhook_endpoints", "users", "api_tokens", "channel_tokens",
            "accounts", "contacts", "crm_records", "kb_articles", "config_items", "config_relations", "mail_messages", "mail_quarantine",
            "outbox", "escalations",
        ]
        return try await api.services.database.read { db in
            var counts: [String: Int] = [:]
            for table in tables {
                let row = try await db.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE organization_id = \(bind: org)").first()
                counts[table] = try row?.decode(column: "n", as: Int.self) ?? -1
            }
            let updated = try await db.raw("SELECT COALESCE(MAX(updated_at), 0) AS n FROM tickets WHERE organization_id = \(bind: org)").first()
            counts["tickets.updated_at"] = try updated?.decode(column: "n", as: Int.self) ?? -1
            return counts
        }
    }

    /// This organisation's resources the calls act on.
    static func seed(_ api: APIHarness, _ client: some TestClientProtocol) async throws -> [String: String] {
        var values = ["account": api.accountID, "unknown": UUID().text, "agentName": "sam"]
        func created(_ path: String, _ body: String, token: String? = nil, field: String = "id") async throws -> String {
            let response = try await client.send(.post, path, token: token ?? api.admin, body: body)
            #expect(response.status.code < 300, "\(path): \(response.text)")
            if let value = response.json[field] as? String { return value }
            if let value = response.json[field] as? Int { return String(value) }
            if let nested = (response.json["endpoint"] as? [String: Any])?[field] as? String { return nested }
            Issue.record("\(path): no \(field) in \(response.text)")
            return "missing"
        }
        values["ticket"] = try await created("/api/v1/tickets", api.incident(), token: api.agent, field: "key")
        values["own"] = try await created(
            "/api/v1/tickets",
            #"{"family":"customer_support","title":"Invoice is wrong","category":"billing","links":[{"kind":"account","id":"\#(api.accountID)"}]}"#,
            token: api.requester, field: "key")
        values["contact"] = try await created("/api/v1/contacts", #"{"name":"Jo Seeded","account_id":"\#(api.accountID)"}"#)
        values["article"] = try await created(
            "/api/v1/kb/articles", #"{"title":"Reset a password","body":"Settings, then Reset.","status":"published","audience":"customers"}"#)
        values["item"] = try await created("/api/v1/cmdb/items", #"{"type":"server","name":"srv-seeded-1"}"#)
        values["item2"] = try await created("/api/v1/cmdb/items", #"{"type":"server","name":"srv-seeded-2"}"#)
        values["proposal"] = try await created(
            "/api/v1/map/versions",
            try MapVersionAPITests.json(MapVersionAPITests.routingTo("it-l3", in: try ExampleMap.text()), message: "matrix"),
            token: api.admin, field: "number")
        return try await reseed(values, api, client)
    }

    static func reseed(_ values: [String: String], _ api: APIHarness, _ client: some TestClientProtocol) async throws -> [String: String] {
        var values = values
        func exists(_ path: String) async throws -> Bool { try await client.send(.get, path, token: api.admin).status == .ok }
        let contract = values["contract"]
        var contractGone = contract == nil
        if let contract { contractGone = try await !exists("/api/v1/crm/contracts/\(contract)") }
        if contractGone {
            let response = try await client.send(
                .post, "/api/v1/crm/contracts", token: api.admin,
                body: #"{"name":"Support plan","start_date":"2026-01-01","account_id":"\#(api.accountID)"}"#)
            values["contract"] = response.json["id"] as? String
            #expect(values["contract"] != nil, "contract: \(response.text)")
        }
        var relationGone = values["relation"] == nil
        if let relation = values["relation"] {
            relationGone = try await !client.send(.get, "/api/v1/cmdb/items/\(values["item"]!)/relations", token: api.admin).text.contains(relation)
        }
        if relationGone {
            let response = try await client.send(
                .post, "/api/v1/cmdb/relations", token: api.admin,
                body: #"{"source_id":"\#(values["item"]!)","type":"runs_on","target_id":"\#(values["item2"]!)"}"#)
            values["relation"] = response.json["id"] as? String ?? values["relation"]
        }
        var endpointGone = values["endpoint"] == nil
        if let endpoint = values["endpoint"] { endpointGone = try await !exists("/api/v1/webhooks/endpoints/\(endpoint)") }
        if endpointGone {
            let response = try await client.send(
                .post, "/api/v1/webhooks/endpoints", token: api.admin,
                body: #"{"url":"https://hooks.example.com/relais","event_types":["relais.ticket.*"]}"#)
            values["endpoint"] = (response.json["endpoint"] as? [String: Any])?["id"] as? String
        }
        return values
    }
}
