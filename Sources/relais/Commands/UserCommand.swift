import ArgumentParser
import Foundation
import RelaisServer
import RelaisStore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manages users.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Adds a user to the organisation.")
        @Argument(help: "The user's name, unique in the organisation.") var name: String
        @Option(help: "admin, agent, requester, or a role the running map declares (roles section).") var role = "agent"
        @Option(help: "The user's e-mail address.") var email: String?
        @Option(help: "The map naming the organisation (default: the only one stored).") var map: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try await CLI.openDatabase(database.database)
            defer { Task { await db.close() } }
            let organization = try await CLI.organization(in: db, mapPath: map)
            if Role(rawValue: role) == nil {
                // A role of the map: the running version must declare it.
                let running = try await MapVersions(database: db, reader: MapText.reader(file: map ?? "relais.map.yaml")).running(organizationID: organization.id)
                let declared = running?.map.roles.keys.sorted() ?? []
                guard declared.contains(role) else {
                    throw ValidationError("unknown role '\(role)'; expected admin, agent, requester" + declared.map { ", \($0)" }.joined()
                                          + (running == nil ? " (no map version runs yet to declare others)" : ""))
                }
            }
            do {
                let user = try await DirectoryRepository(database: db).addUser(organizationID: organization.id, name: name, email: email, roleName: role)
                print("Added \(user.roleName) '\(user.name)' to \(organization.name).")
            } catch StoreError.duplicate {
                CLI.printError("error: a user named '\(name)' already exists in \(organization.name)")
                throw ExitCode(1)
            }
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manages API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Creates an API token and prints it alone on standard output.")
        @Option(help: "The user the token acts as.") var user: String
        @Option(help: "A note on what the token is for.") var label: String?
        @Option(help: "The map naming the organisation (default: the only one stored).") var map: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try await CLI.openDatabase(database.database)
            defer { Task { await db.close() } }
            let organization = try await CLI.organization(in: db, mapPath: map)
            let directory = DirectoryRepository(database: db)
            guard let principal = try await directory.user(organizationID: organization.id, name: user) else {
                CLI.printError("error: no user named '\(user)' in \(organization.name); add one with `relais user add \(user)`")
                throw ExitCode(1)
            }
            print(try await directory.createToken(for: principal, label: label))
        }
    }
}
