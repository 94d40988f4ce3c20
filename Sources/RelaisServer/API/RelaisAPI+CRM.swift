import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

extension RelaisAPI {
    func createAccount(_ input: Operations.CreateAccount.Input) async throws -> Operations.CreateAccount.Output {
        let principal = try requireStaff()
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let name = try requiredName(body.name)
        let account = Account(id: UUID(), name: name, externalID: body.externalId, domain: body.domain?.lowercased(),
                              tier: body.tier, segment: body.segment, region: body.region, owner: body.owner,
                              annualRevenue: body.annualRevenue, currency: body.currency, createdAt: Date())
        try await services.crm.insert(account, organizationID: principal.organizationID)
        return .created(.init(body: .json(encode(account))))
    }

    func getAccount(_ input: Operations.GetAccount.Input) async throws -> Operations.GetAccount.Output {
        let principal = try requireStaff()
        let id = try parseID(input.path.id, field: "id")
        guard let account = try await services.crm.account(organizationID: principal.organizationID, id: id) else {
            throw StoreError.notFound(what: "account", id: input.path.id)
        }
        return .ok(.init(body: .json(encode(account))))
    }

    func listAccounts(_ input: Operations.ListAccounts.Input) async throws -> Operations.ListAccounts.Output {
        let principal = try requireStaff()
        let (accounts, next) = try await services.crm.accounts(
            organizationID: principal.organizationID, limit: try limit(input.query.limit), after: try cursor(input.query.cursor))
        return .ok(.init(body: .json(.init(items: accounts.map(encode), nextCursor: next?.token))))
    }

    func createContact(_ input: Operations.CreateContact.Input) async throws -> Operations.CreateContact.Output {
        let principal = try requireStaff()
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let name = try requiredName(body.name)
        let accountID = try body.accountId.map { try parseID($0, field: "account_id") }
        if let accountID, try await services.crm.account(organizationID: principal.organizationID, id: accountID) == nil {
            throw APIProblem("unknown-value", .unprocessableContent, "account_id: no account '\(accountID.uuidString.lowercased())'", field: "account_id")
        }
        let contact = Contact(id: UUID(), accountID: accountID, name: name, email: body.email?.lowercased(), externalID: body.externalId, createdAt: Date())
        try await services.crm.insert(contact, organizationID: principal.organizationID)
        return .created(.init(body: .json(encode(contact))))
    }

    func getContact(_ input: Operations.GetContact.Input) async throws -> Operations.GetContact.Output {
        let principal = try requireStaff()
        let id = try parseID(input.path.id, field: "id")
        guard let contact = try await services.crm.contact(organizationID: principal.organizationID, id: id) else {
            throw StoreError.notFound(what: "contact", id: input.path.id)
        }
        return .ok(.init(body: .json(encode(contact))))
    }

    func listContacts(_ input: Operations.ListContacts.Input) async throws -> Operations.ListContacts.Output {
        let principal = try requireStaff()
        let (contacts, next) = try await services.crm.contacts(
            organizationID: principal.organizationID, limit: try limit(input.query.limit), after: try cursor(input.query.cursor))
        return .ok(.init(body: .json(.init(items: contacts.map(encode), nextCursor: next?.token))))
    }

    func requiredName(_ text: String) throws -> String {
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw APIProblem.invalidField("name", "name: must not be empty") }
        return name
    }

    /// CRM data belongs to the organisation's staff; requesters reach only their tickets.
    func requireStaff() throws -> Principal {
        let principal = try RequestPrincipal.require()
        if principal.role == .requester { throw AccessError.forbidden("requesters may not read or change CRM objects") }
        return principal
    }
}
