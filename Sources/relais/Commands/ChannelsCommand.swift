import ArgumentParser
import Foundation
import RelaisCore
import RelaisStore

struct ChannelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channels", abstract: "Inbound channels (chat, social, phone...): their tokens for POST /api/v1/channels/CHANNEL/messages.",
        subcommands: [List.self, Token.self, Revoke.self])

    static func check(_ channel: String, in map: ProcessMap) throws {
        let channels = ChannelRules.inbound(in: map)
        guard channels[channel] != nil else {
            throw ValidationError(
                "no family of the map takes a channel named '\(channel)' (channels: \(channels.keys.sorted().joined(separator: ", ")))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the map's inbound channels, the families they open, and which hold a token.")
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (processMap, issued) = try await CLI.asAdministrator(database: database.database, mapPath: map.map) { db, principal in
                (
                    try await CLI.mapInForce(map.map, database: db, organizationID: principal.organizationID),
                    try await ChannelTokens(database: db).issued(organizationID: principal.organizationID)
                )
            }
            for (channel, families) in ChannelRules.inbound(in: processMap).sorted(by: { $0.key < $1.key }) {
                let token = issued[channel].map { "token issued \(CloudEvent.timestamp($0))" } ?? "no token"
                print("\(channel)  \(families.joined(separator: ", "))  \(token)")
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issues the channel's token and prints it once; the previous one stops working.")
        @Argument(help: "The channel, such as chat or phone.") var channel: String
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let name = channel
            print(
                try await CLI.asAdministrator(database: database.database, mapPath: map.map) { db, principal -> String in
                    try ChannelsCommand.check(name, in: try await CLI.mapInForce(map.map, database: db, organizationID: principal.organizationID))
                    return try await ChannelTokens(database: db).issue(channel: name, organizationID: principal.organizationID)
                })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ends the channel's token.")
        @Argument(help: "The channel.") var channel: String
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let name = channel
            let revoked = try await CLI.asAdministrator(database: database.database, mapPath: map.map) { db, principal in
                try ChannelsCommand.check(name, in: try await CLI.mapInForce(map.map, database: db, organizationID: principal.organizationID))
                return try await ChannelTokens(database: db).revoke(channel: name, organizationID: principal.organizationID)
            }
            guard revoked else {
                CLI.printError("error: the '\(name)' channel has no token")
                throw ExitCode(1)
            }
            print("The '\(name)' channel's token no longer works.")
        }
    }
}
