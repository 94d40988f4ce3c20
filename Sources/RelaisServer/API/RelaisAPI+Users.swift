import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisStore

extension RelaisAPI {
    var users: UserService { UserService(directory: services.directory, map: services.configuration.map) }

    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let listed = try await users.list(by: try RequestPrincipal.require())
        return .ok(.init(body: .json(.init(items: listed.map { Self.encode($0.user, email: $0.email) }))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let user = try await users.create(
            name: body.name, email: body.email, role: body.role, teams: body.teams ?? [], entities: body.entities ?? [],
            by: try RequestPrincipal.require())
        return .created(.init(body: .json(Self.encode(user, email: body.email))))
    }

    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        guard case let .json(body) = input.body else { throw APIProblem.badRequest("expected a JSON body") }
        let principal = try RequestPrincipal.require()
        let user = try await users.update(name: input.path.name, .init(role: body.role, teams: body.teams, entities: body.entities), by: principal)
        let email = try await users.list(by: principal).first { $0.user.userID == user.userID }?.email
        return .ok(.init(body: .json(Self.encode(user, email: email))))
    }

    static func encode(_ user: Principal, email: String?) -> Components.Schemas.User {
        .init(name: user.name, role: user.roleName, email: email, teams: user.teams, entities: user.entities)
    }
}
