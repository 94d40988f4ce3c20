import ArgumentParser
import Foundation
import RelaisCore
import RelaisServer
import RelaisStore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manages users.", subcommands: [Add.self, Password.self, Teams.self, Entities.self])

    /// The running map of the organisation, for checking roles and teams against; nil before any version runs.
    static func runningMap(_ db: RelaisDatabase, organization: Organization, file: String?) async throws -> ProcessMap? {
        try await MapVersions(database: db, reader: MapText.reader(file: file ?? "relais.map.yaml")).running(organizationID: organization.id)?.map
    }

    /// Refuses teams (`entities: false`) or entities the running map lacks, naming them.
    static func check(_ values: [String], entities: Bool = false, in map: ProcessMap?) throws {
        let plural = entities ? "entities" : "teams"
        guard let map else {
            if !values.isEmpty { throw ValidationError("no map version runs yet to declare \(plural)") }
            return
        }
        let known = entities ? map.entityOrder : map.teams.keys.sorted()
        if let unknown = values.first(where: { !known.contains($0) }) {
            throw ValidationError(
                "unknown \(entities ? "entity" : "team") '\(unknown)'; the running map has "
                    + (known.isEmpty ? "no \(plural)" : known.joined(separator: ", ")))
        }
    }

    /// Sets a user's teams or entity grants, after checking them against the running map.
    static func setGrants(_ values: [String], entities: Bool, of name: String, mapPath: String?, database: DatabaseOptions) async throws {
        let db = try await CLI.openDatabase(database.database)
        defer { Task { await db.close() } }
        let organization = try await CLI.organization(in: db, mapPath: mapPath)
        try check(values, entities: entities, in: try await runningMap(db, organization: organization, file: mapPath))
        let directory = DirectoryRepository(database: db)
        guard let user = try await directory.user(organizationID: organization.id, name: name) else {
            CLI.printError("error: no user named '\(name)' in \(organization.name)")
            throw ExitCode(1)
        }
        let listed = Set(values).sorted().joined(separator: ", ")
        if entities {
            try await directory.setEntities(values, of: user)
            print(values.isEmpty ? "'\(name)' reaches every entity." : "'\(name)' is granted \(listed).")
        } else {
            try await directory.setTeams(values, of: user)
            print(values.isEmpty ? "'\(name)' is in no team." : "'\(name)' works in \(listed).")
        }
    }

    struct Teams: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sets the teams a user works in (a role of the map with `teams: mine` reaches their tickets); none clears them.")
        @Argument(help: "The user's name.") var name: String
        @Option(help: "A team of the running map (repeatable).") var team: [String] = []
        @Option(help: "The map naming the organisation (default: the only one stored).") var map: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await UserCommand.setGrants(team, entities: false, of: name, mapPath: map, database: database)
        }
    }

    struct Entities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sets the legal entities an agent is granted: they reach only those entities' tickets and accounts; none lifts the limit.")
        @Argument(help: "The user's name.") var name: String
        @Option(help: "A legal entity of the running map (repeatable).") var entity: [String] = []
        @Option(help: "The map naming the organisation (default: the only one stored).") var map: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await UserCommand.setGrants(entity, entities: true, of: name, mapPath: map, database: database)
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sets the password a user signs in to the web workspace with, read from the first line of standard input; their sessions end.")
        @Argument(help: "The user's name.") var name: String
        @Flag(help: "Make up a strong password and print it instead of reading one.") var generate = false
        @Option(help: "The map naming the organisation (default: the only one stored).") var map: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let password: String
            if generate {
                password = String(DirectoryRepository.newSecret().prefix(20))
            } else {
                guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on standard input") }
                password = line
            }
            if let problem = PasswordPolicy.problem(with: password, login: name) { throw ValidationError(problem) }
            let db = try await CLI.openDatabase(database.database)
            defer { Task { await db.close() } }
            let organization = try await CLI.organization(in: db, mapPath: map)
            guard let user = try await DirectoryRepository(database: db).user(organizationID: organization.id, name: name) else {
                CLI.printError("error: no user named '\(name)' in \(organization.name)")
                throw ExitCode(1)
            }
            let hash = try await Passwords().hash(password)
            try await WebSessions(database: db).setPassword(hash: hash, of: user, at: Date())
            print(generate ? password : "The password of '\(name)' is set.")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Adds a user to the organisation.")
        @Argument(help: "The user's name, unique in the organisation.") var name: String
        @Option(help: "admin, agent, requester, or a role the running map declares (roles section).") var role = "agent"
        @Option(help: "The user's e-mail address.") var email: String?
        @Option(help: "A team of the running map the user works in (repeatable).") var team: [String] = []
        @Option(help: "A legal entity of the running map the user is granted (repeatable); none: every entity.") var entity: [String] = []
        @Option(help: "The map naming the organisation (default: the only one stored).") var map: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try await CLI.openDatabase(database.database)
            defer { Task { await db.close() } }
            let organization = try await CLI.organization(in: db, mapPath: map)
            let running = try await UserCommand.runningMap(db, organization: organization, file: map)
            // A role of the map must be one the running version declares.
            let known = (running ?? ProcessMap()).roleNames
            guard known.contains(role) else {
                throw ValidationError(
                    "unknown role '\(role)'; expected \(known.joined(separator: ", "))"
                        + (running == nil ? " (no map version runs yet to declare others)" : ""))
            }
            try UserCommand.check(team, in: running)
            try UserCommand.check(entity, entities: true, in: running)
            do {
                let directory = DirectoryRepository(database: db)
                let user = try await directory.addUser(organizationID: organization.id, name: name, email: email, roleName: role)
                if !team.isEmpty { try await directory.setTeams(team, of: user) }
                if !entity.isEmpty { try await directory.setEntities(entity, of: user) }
                print(
                    "Added \(user.roleName) '\(user.name)' to \(organization.name)"
                        + (team.isEmpty ? "." : ", in \(Set(team).sorted().joined(separator: ", "))."))
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
