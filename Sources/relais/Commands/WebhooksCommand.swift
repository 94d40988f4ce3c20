import ArgumentParser
import Foundation
import RelaisCore
import RelaisStore

struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Webhook endpoints, their delivery log and dead letters.",
        subcommands: [Add.self, List.self, Enable.self, Disable.self, Remove.self, Rotate.self, Log.self, Dead.self, Replay.self])

    /// Where the endpoints live and whose they are.
    struct Place: ParsableArguments {
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The map whose organisation to act for (needed only when several are stored).") var map: String?
        @Flag(help: "Accept endpoints on loopback or private networks (local development).") var allowPrivate = false
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registers an endpoint and prints its signing secret, shown this once.")
        @Argument(help: "The http or https URL to post events to.") var url: String
        @Option(name: .customLong("type"), help: "An event type or pattern such as relais.ticket.* (repeat for several).") var types: [String] = []
        @Option(help: "What the endpoint is for.") var description: String?
        @OptionGroup var place: Place

        func run() async throws {
            let (endpoint, secret) = try await CLI.withWebhooks(place) { service, principal in
                try await service.create(url: url, description: description, eventTypes: types, by: principal)
            }
            print("endpoint \(endpoint.id.text)")
            print("secret   \(secret)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the endpoints.")
        @OptionGroup var place: Place

        func run() async throws {
            let endpoints = try await CLI.withWebhooks(place) { service, principal in try await service.endpoints(by: principal) }
            for endpoint in endpoints {
                let state = endpoint.active ? "on " : "off"
                var line = "\(endpoint.id.text)  \(state)  \(endpoint.url)  \(endpoint.eventTypes.joined(separator: ","))"
                if let reason = endpoint.disabledReason { line += "  (\(reason))" }
                print(line)
            }
            if endpoints.isEmpty { print("No webhook endpoint.") }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Turns an endpoint on (again, after a 410).")
        @Argument var id: String
        @OptionGroup var place: Place
        func run() async throws { try await WebhooksCommand.set(id, active: true, place) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Turns an endpoint off; its pending deliveries wait.")
        @Argument var id: String
        @OptionGroup var place: Place
        func run() async throws { try await WebhooksCommand.set(id, active: false, place) }
    }

    static func set(_ id: String, active: Bool, _ place: Place) async throws {
        let uuid = try CLI.uuid(id, "ID")
        let endpoint = try await CLI.withWebhooks(place) { service, principal in
            try await service.update(uuid, WebhookEndpointChange(active: active), by: principal)
        }
        print("\(endpoint.id.text) is \(endpoint.active ? "on" : "off")")
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Removes an endpoint with its deliveries and their log.")
        @Argument var id: String
        @OptionGroup var place: Place
        func run() async throws {
            let uuid = try CLI.uuid(id, "ID")
            try await CLI.withWebhooks(place) { service, principal in try await service.delete(uuid, by: principal) }
            print("Removed \(id).")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Gives an endpoint a new secret; the old one signs too for 24 hours.")
        @Argument var id: String
        @OptionGroup var place: Place
        func run() async throws {
            let uuid = try CLI.uuid(id, "ID")
            let (_, secret) = try await CLI.withWebhooks(place) { service, principal in try await service.rotateSecret(uuid, by: principal) }
            print("secret   \(secret)")
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tries made for an endpoint, newest first.")
        @Argument var id: String
        @Option(help: "Tries listed.") var limit = 50
        @OptionGroup var place: Place
        func run() async throws {
            let uuid = try CLI.uuid(id, "ID")
            let attempts = try await CLI.withWebhooks(place) { service, principal in
                try await service.attempts(of: uuid, limit: limit, before: nil, by: principal)
            }
            for attempt in attempts {
                let answer = attempt.statusCode.map { "HTTP \($0)" } ?? (attempt.error ?? "no answer")
                print(
                    "\(CloudEvent.timestamp(attempt.attemptedAt))  \(attempt.eventID)  try \(attempt.attempt)  \(answer)  \(attempt.durationMilliseconds) ms"
                )
            }
        }
    }

    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliveries that failed their last try, newest first.")
        @Option(help: "Only this endpoint's.") var endpoint: String?
        @Option(help: "Died at or after this instant (ISO 8601).") var from: String?
        @Option(help: "Died before this instant (ISO 8601).") var to: String?
        @Option(help: "Deliveries listed.") var limit = 50
        @OptionGroup var place: Place
        func run() async throws {
            let endpointID = try endpoint.map { try CLI.uuid($0, "--endpoint") }
            let (start, end) = (try CLI.instant(from, "--from"), try CLI.instant(to, "--to"))
            let dead = try await CLI.withWebhooks(place) { service, principal in
                try await service.deadLetters(endpointID: endpointID, from: start, to: end, limit: limit, before: nil, by: principal)
            }
            for delivery in dead {
                print("\(delivery.id.text)  \(delivery.type)  \(delivery.subject)  \(delivery.attempts) tries  \(delivery.lastError ?? "")")
            }
            if dead.isEmpty { print("No dead delivery.") }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sends dead deliveries again: one by id, or all that died within --from/--to (of one --endpoint or of all).")
        @Argument(help: "The dead delivery's id.") var id: String?
        @Option(help: "Only this endpoint's.") var endpoint: String?
        @Option(help: "Died at or after this instant (ISO 8601).") var from: String?
        @Option(help: "Died before this instant (ISO 8601).") var to: String?
        @OptionGroup var place: Place

        func validate() throws {
            if id != nil && (endpoint != nil || from != nil || to != nil) { throw ValidationError("give a delivery id or a range, not both") }
            if id == nil && from == nil && to == nil && endpoint == nil {
                throw ValidationError("give a delivery id, or --endpoint and/or --from/--to")
            }
        }

        func run() async throws {
            if let id {
                let uuid = try CLI.uuid(id, "ID")
                _ = try await CLI.withWebhooks(place) { service, principal in try await service.replay(uuid, by: principal) }
                print("1 delivery put back in line.")
                return
            }
            let endpointID = try endpoint.map { try CLI.uuid($0, "--endpoint") }
            let (start, end) = (try CLI.instant(from, "--from"), try CLI.instant(to, "--to"))
            let count = try await CLI.withWebhooks(place) { service, principal in
                try await service.replay(endpointID: endpointID, from: start, to: end, by: principal)
            }
            print("\(count) deliveries put back in line.")
        }
    }
}

extension CLI {
    static func withWebhooks<T: Sendable>(_ place: WebhooksCommand.Place, _ body: (WebhookService, Principal) async throws -> T) async throws -> T {
        try await asAdministrator(database: place.database.database, mapPath: place.map) { db, principal in
            let secrets = try SecretBox.fromEnvironment(ProcessInfo.processInfo.environment)
            return try await body(WebhookService(database: db, allowPrivateTargets: place.allowPrivate, secrets: secrets), principal)
        }
    }

    static func uuid(_ text: String, _ name: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw ValidationError("\(name) '\(text)' is not an id") }
        return id
    }

    static func instant(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text + "T00:00:00Z", strategy: .iso8601) { return date }
        throw ValidationError("\(name) '\(text)' is not an ISO 8601 date or instant")
    }
}
