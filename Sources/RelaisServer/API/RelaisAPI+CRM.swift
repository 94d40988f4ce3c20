import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisProcess
import RelaisStore

extension RelaisAPI {
    // MARK: Accounts

    func createAccount(_ input: Operations.CreateAccount.Input) async throws -> Operations.CreateAccount.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let values = CRMValues.of(
            name: try requiredName(body.name), domain: body.domain, tier: body.tier, segment: body.segment,
            region: body.region, owner: body.owner, annualRevenue: body.annualRevenue, currency: body.currency,
            entity: body.entity)
        let account = try await services.crm.createAccount(values, externalID: body.externalId, by: try RequestPrincipal.require())
        return .created(.init(body: .json(encode(account))))
    }

    func getAccount(_ input: Operations.GetAccount.Input) async throws -> Operations.GetAccount.Output {
        let account = try await services.crm.account(try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(encode(account))))
    }

    func updateAccount(_ input: Operations.UpdateAccount.Input) async throws -> Operations.UpdateAccount.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        var values = CRMValues.of(body)
        if let external = body.externalId { values["external_id"] = external }
        let account = try await services.crm.updateAccount(try parseID(input.path.id, field: "id"), values, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(encode(account))))
    }

    func upsertAccount(_ input: Operations.UpsertAccount.Input) async throws -> Operations.UpsertAccount.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let (account, created) = try await services.crm.upsertAccount(
            externalID: input.path.externalId, CRMValues.of(body), by: try RequestPrincipal.require())
        return created ? .created(.init(body: .json(encode(account)))) : .ok(.init(body: .json(encode(account))))
    }

    func listAccounts(_ input: Operations.ListAccounts.Input) async throws -> Operations.ListAccounts.Output {
        let accounts = try await services.crm.accounts(
            limit: try limit(input.query.limit), after: try cursor(input.query.cursor), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: accounts.map(encode), nextCursor: accounts.nextCursor))))
    }

    func getAccountOverview(_ input: Operations.GetAccountOverview.Input) async throws -> Operations.GetAccountOverview.Output {
        let (from, to) = try period(input.query.from, input.query.to)
        let overview = try await services.crm.overview(
            of: try parseID(input.path.id, field: "id"), from: from, to: to, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(encode(overview))))
    }

    func getAccountRollup(_ input: Operations.GetAccountRollup.Input) async throws -> Operations.GetAccountRollup.Output {
        let summary = try await services.crm.rollup(of: try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .ok(
            .init(
                body: .json(
                    .init(
                        accountId: summary.accountID.text, tickets: summary.tickets, lastTicket: summary.lastTicketKey,
                        lastTicketAt: summary.lastTicketAt, openSignals: summary.openSignals, awaitingFix: summary.awaitingFix,
                        fixShipped: summary.fixShipped,
                        counts: .init(
                            additionalProperties: summary.counts.mapValues { counts in
                                .init(
                                    additionalProperties: Dictionary(
                                        uniqueKeysWithValues: counts.map { ($0.key.isEmpty ? "none" : $0.key, $0.value) }))
                            })))))
    }

    // MARK: Contacts

    func createContact(_ input: Operations.CreateContact.Input) async throws -> Operations.CreateContact.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let contact = try await services.crm.createContact(
            name: try requiredName(body.name), email: body.email, accountID: try body.accountId.map { try parseID($0, field: "account_id") },
            externalID: body.externalId, by: try RequestPrincipal.require())
        return .created(.init(body: .json(encode(contact))))
    }

    func getContact(_ input: Operations.GetContact.Input) async throws -> Operations.GetContact.Output {
        let contact = try await services.crm.contact(try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(encode(contact))))
    }

    func listContacts(_ input: Operations.ListContacts.Input) async throws -> Operations.ListContacts.Output {
        let contacts = try await services.crm.contacts(
            limit: try limit(input.query.limit), after: try cursor(input.query.cursor), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: contacts.map(encode), nextCursor: contacts.nextCursor))))
    }

    // MARK: Opportunities, contracts, invoices, subscriptions, assets

    func createRecord(_ input: Operations.CreateRecord.Input) async throws -> Operations.CreateRecord.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let record = try await services.crm.createRecord(
            CRMValues.kind(input.path.kind.rawValue), CRMValues.of(body), by: try RequestPrincipal.require())
        return .created(.init(body: .json(encode(record))))
    }

    func getRecord(_ input: Operations.GetRecord.Input) async throws -> Operations.GetRecord.Output {
        let record = try await services.crm.record(
            CRMValues.kind(input.path.kind.rawValue), try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(encode(record))))
    }

    func updateRecord(_ input: Operations.UpdateRecord.Input) async throws -> Operations.UpdateRecord.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let record = try await services.crm.updateRecord(
            CRMValues.kind(input.path.kind.rawValue), try parseID(input.path.id, field: "id"),
            CRMValues.of(body), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(encode(record))))
    }

    func upsertRecord(_ input: Operations.UpsertRecord.Input) async throws -> Operations.UpsertRecord.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let (record, created) = try await services.crm.upsertRecord(
            CRMValues.kind(input.path.kind.rawValue), externalID: input.path.externalId,
            CRMValues.of(body), by: try RequestPrincipal.require())
        return created ? .created(.init(body: .json(encode(record)))) : .ok(.init(body: .json(encode(record))))
    }

    func deleteRecord(_ input: Operations.DeleteRecord.Input) async throws -> Operations.DeleteRecord.Output {
        try await services.crm.deleteRecord(
            CRMValues.kind(input.path.kind.rawValue), try parseID(input.path.id, field: "id"), by: try RequestPrincipal.require())
        return .noContent(.init())
    }

    func listRecords(_ input: Operations.ListRecords.Input) async throws -> Operations.ListRecords.Output {
        let records = try await services.crm.records(
            CRMValues.kind(input.path.kind.rawValue), accountID: try input.query.accountId.map { try parseID($0, field: "account_id") },
            limit: try limit(input.query.limit), after: try cursor(input.query.cursor), by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: records.map(encode), nextCursor: records.nextCursor))))
    }

    // MARK: Imports

    func importCRM(_ input: Operations.ImportCRM.Input) async throws -> Operations.ImportCRM.Output {
        let principal = try RequestPrincipal.require()
        let parsed: ImportFile.Parsed
        switch input.body {
        case let .csv(body):
            let data = try await Data(collecting: body, upTo: services.configuration.maxImportSize)
            guard let text = String(data: data, encoding: .utf8) else { throw APIProblem.badRequest("the CSV body is not UTF-8 text") }
            do { parsed = try ImportFile.csv(text) } catch let error as ImportFileError { throw APIProblem.badRequest(error.description) }
        case let .json(items):
            parsed = ImportFile.objects(items.map(\.additionalProperties.value))
        }
        var report: ImportReport
        switch input.path.kind {
        case .configItems: report = try await services.cmdb.importRows(parsed.rows, kind: .items, by: principal)
        case .configRelations: report = try await services.cmdb.importRows(parsed.rows, kind: .relations, by: principal)
        default: report = try await services.crm.importRows(parsed.rows, kind: CRMValues.kind(input.path.kind.rawValue), by: principal)
        }
        report.received += parsed.rejected.count
        report.rejected = (parsed.rejected + report.rejected).sorted { $0.line < $1.line }
        return .ok(
            .init(
                body: .json(
                    .init(
                        received: report.received, created: report.created, updated: report.updated,
                        rejected: report.rejected.map { .init(line: $0.line, field: $0.field, reason: $0.reason) }))))
    }

    // MARK: Signals and reports

    func listSignals(_ input: Operations.ListSignals.Input) async throws -> Operations.ListSignals.Output {
        let signals = try await services.crm.signals(
            status: input.query.status.flatMap { Signal.Status(rawValue: $0.rawValue) },
            accountID: try input.query.accountId.map { try parseID($0, field: "account_id") }, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: signals.map(encode)))))
    }

    func getCRMReport(_ input: Operations.GetCRMReport.Input) async throws -> Operations.GetCRMReport.Output {
        let (from, to) = try period(input.query.from, input.query.to)
        let report = CRMService.Report(rawValue: input.path.report.rawValue) ?? .volume
        let grouping = CRMReports.SLAGrouping(rawValue: input.query.groupBy?.rawValue ?? "segment") ?? .segment
        let table = try await services.crm.report(
            report, groupBy: grouping, from: from, to: to, entity: input.query.entity, brand: input.query.brand,
            by: try RequestPrincipal.require())
        let wantsCSV =
            input.query.format == .csv
            || (input.query.format == nil && input.headers.accept.sortedByQuality().first?.contentType == .csv)
        if wantsCSV { return .ok(.init(body: .csv(HTTPBody(ReportCSV.render(table))))) }
        return .ok(
            .init(
                body: .json(
                    .init(
                        report: table.name, from: from, to: to, columns: table.columns,
                        rows: table.rows.map { $0.map(ReportCSV.container) }))))
    }

    // MARK: Shared

    /// A reporting period: `to` defaults to now, `from` to 30 days before it.
    func period(_ from: Date?, _ to: Date?) throws -> (Date, Date) {
        let end = to ?? Date()
        let start = from ?? end.addingTimeInterval(-30 * 86_400)
        guard start < end else { throw APIProblem.invalidField("from", "from: must be before to") }
        return (start, end)
    }

    func requiredName(_ text: String) throws -> String {
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw APIProblem.invalidField("name", "name: must not be empty") }
        return name
    }
}

/// API bodies as the named text values the CRM service applies.
enum CRMValues {
    static func kind(_ plural: String) -> CRMObjectKind {
        switch plural {
        case "accounts": .account
        case "contacts": .contact
        case "opportunities": .opportunity
        case "contracts": .contract
        case "invoices": .invoice
        case "subscriptions": .subscription
        default: .asset
        }
    }

    static func of(
        name: String?, domain: String?, tier: String?, segment: String?, region: String?, owner: String?,
        annualRevenue: Int?, currency: String?, entity: String?
    ) -> [String: String] {
        var values: [String: String] = [:]
        values["name"] = name
        values["domain"] = domain
        values["tier"] = tier
        values["segment"] = segment
        values["region"] = region
        values["owner"] = owner
        values["annual_revenue"] = annualRevenue.map(String.init)
        values["currency"] = currency
        values["entity"] = entity
        return values
    }

    static func of(_ body: Components.Schemas.AccountUpdate) -> [String: String] {
        of(
            name: body.name, domain: body.domain, tier: body.tier, segment: body.segment, region: body.region, owner: body.owner,
            annualRevenue: body.annualRevenue, currency: body.currency, entity: body.entity)
    }

    static func of(_ body: Components.Schemas.RecordInput) -> [String: String] {
        var values: [String: String] = [:]
        values["account_id"] = body.accountId
        values["external_id"] = body.externalId
        values["name"] = body.name
        values["number"] = body.number
        values["product"] = body.product
        values["stage"] = body.stage
        values["status"] = body.status
        values["sla_level"] = body.slaLevel
        values["serial_number"] = body.serialNumber
        values["amount"] = body.amount
        values["currency"] = body.currency
        values["quantity"] = body.quantity.map(String.init)
        values["start_date"] = body.startDate
        values["end_date"] = body.endDate
        values["renewal_date"] = body.renewalDate
        values["close_date"] = body.closeDate
        values["due_date"] = body.dueDate
        return values
    }
}

/// Report tables as CSV (RFC 4180) and as JSON values.
enum ReportCSV {
    static func render(_ table: ReportTable) -> String {
        var lines = [table.columns.map(CSVField.escape).joined(separator: ",")]
        for row in table.rows {
            lines.append(
                row.map { value in
                    switch value {
                    case let .text(text): CSVField.escape(text)
                    case let .integer(number): String(number)
                    case let .number(number): String(number)
                    case .null: ""
                    }
                }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func container(_ value: ReportTable.Value) -> OpenAPIValueContainer {
        switch value {
        case let .text(text): OpenAPIValueContainer(stringLiteral: text)
        case let .integer(number): OpenAPIValueContainer(integerLiteral: number)
        case let .number(number): OpenAPIValueContainer(floatLiteral: number)
        case .null: OpenAPIValueContainer(nilLiteral: ())
        }
    }
}
