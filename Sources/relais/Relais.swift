import ArgumentParser

/// The `relais` command line.
@main
struct Relais: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relais",
        abstract: "A service desk whose configuration is the process map.",
        subcommands: [
            Serve.self, Migrate.self, MapCommand.self, UserCommand.self, TokenCommand.self, DemoCommand.self, SLACommand.self, CRMCommand.self,
            CMDBCommand.self, WebhooksCommand.self, MailCommand.self, ChannelsCommand.self, AuditCommand.self, MineCommand.self, LogCommand.self,
            ImportCommand.self, SyncCommand.self,
        ]
    )
}
