import ArgumentParser
import Foundation
import RelaisCore
import RelaisIntegrations
import RelaisProcess
import RelaisServer
import RelaisStore

struct CRMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm", abstract: "CRM objects, account roll-ups and business signals.",
        subcommands: [Import.self, Sync.self, Rollups.self, Signals.self])

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case accounts, contacts, opportunities, contracts, invoices, subscriptions, assets
        var object: CRMObjectKind {
            switch self {
            case .accounts: .account
            case .contacts: .contact
            case .opportunities: .opportunity
            case .contracts: .contract
            case .invoices: .invoice
            case .subscriptions: .subscription
            case .assets: .asset
            }
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keeps an outside CRM and Relais in step, the way the map's `connectors` section says (in, out or both).",
            discussion: """
                HubSpot: companies, contacts and deals come in as accounts, contacts and opportunities (upserted by
                HubSpot's ids); tickets of accounts HubSpot knows go out as HubSpot tickets in the connector's pipeline
                and stage (batch upserted by the unique ticket property relais_key, associated with their company),
                and account roll-ups go out as company properties (relais_tickets, relais_open_tickets,
                relais_open_signals, relais_awaiting_fix, relais_fix_shipped, relais_last_ticket); HubSpot's burst
                limit is kept (100 requests in 10 s).
                Salesforce: accounts and contacts come in by SOQL; tickets go out as Cases upserted by the external id
                field Relais_Key__c (200 a call) with AccountId, ContactId, AssetId and EntitlementId (from contracts),
                and roll-ups as custom account fields (Relais_Tickets__c, ...).
                Only what changed since the last push is sent; 429 and 5xx are tried again after a pause. Without
                --once, syncs again every five minutes.
                """)
        @Argument(help: "The CRM: hubspot or salesforce.") var crm: String
        @Flag(help: "Sync once, then stop.") var once = false
        @Option(help: "Seconds between syncs without --once.") var every = 300
        @Flag(help: "Allow the CRM's address to be on loopback or a private network (local tests only).") var allowPrivateEgress = false
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard CRMConnection.Kind(rawValue: crm) != nil else {
                throw ValidationError("unknown CRM '\(crm)'; expected one of \(CRMConnection.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard every >= 10 else { throw ValidationError("--every must be at least 10 seconds") }
        }

        func run() async throws {
            let stopped = try await CLI.withMapInForce(map.map, database: database.database) { db, organization, running in
                guard let connection = running.connectors[crm] else {
                    CLI.printError("error: the map's 'connectors' section does not declare '\(crm)'")
                    throw ExitCode(1)
                }
                let sync: CRMSync
                do {
                    var settings = CRMSync.Settings()
                    settings.allowPrivateEgress = allowPrivateEgress
                    sync = try CRMSync(connection: connection, map: running, database: db, organizationID: organization.id, settings: settings)
                } catch let stopped as SyncStopped {
                    CLI.printError("error: \(stopped.reason)")
                    throw ExitCode(1)
                }
                return try await CLI.syncRounds(once: once, every: every, close: { await sync.shutdown() }) {
                    let report = try await sync.run()
                    for pulled in report.pulled {
                        let part = pulled.report
                        print(
                            "\(crm): \(part.received) \(pulled.noun): \(part.created) created, \(part.updated) updated, \(part.rejected.count) refused"
                        )
                        for rejection in part.rejected {
                            CLI.printError("\(crm) \(pulled.noun) \(rejection.line): \(rejection.field.map { "\($0): " } ?? "")\(rejection.reason)")
                        }
                    }
                    if connection.direction.pushes {
                        print(
                            "\(crm): \(report.ticketsPushed) tickets sent (\(report.ticketsUnchanged) unchanged), \(report.rollupsPushed) account roll-ups sent"
                        )
                        for refusal in report.refused { CLI.printError("\(crm) refused \(refusal)") }
                    }
                }
            }
            if stopped { throw ExitCode(1) }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mirrors CRM objects from a CSV file (header row of field names) or a JSON array.",
            discussion: """
                Rows are upserted by external_id; account_external_id or account_id ties a row to its account.
                Refused rows are listed as FILE:LINE: reason (JSON: the position in the array) and the others
                applied, one transaction per 500 rows. Exits with 2 when some rows were refused.
                """)
        @Argument(help: "What the file holds: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: Kind
        @Argument(help: "The file; .json is read as JSON, anything else as CSV.") var file: String
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let parsed = try CLI.readImportFile(file)
            let db = try await CLI.openDatabase(database.database)
            do {
                let organization = try await CLI.organization(in: db, mapPath: map.map)
                let entities = try await CLI.mapInForce(map.map, database: db, organizationID: organization.id).entityOrder
                let report = try await CRMImporter(database: db, entities: entities).run(
                    parsed.rows, kind: kind.object, organizationID: organization.id)
                await db.close()
                try CLI.finish(report, parsed: parsed, file: file, what: kind.rawValue)
            } catch let error as StoreError {
                await db.close()
                CLI.printError("error: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Rollups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuilds every account's roll-up from the tickets, says how long it took and how many counts differed.",
            discussion: "Every ticket write keeps the roll-ups up to date; this checks them and repairs what differs (after a restore, say).")
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try await CLI.openDatabase(database.database)
            let organization = try await CLI.organization(in: db, mapPath: map.map)
            let started = ContinuousClock.now
            let result = try await AccountRollups(database: db).recompute(organizationID: organization.id)
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            await db.close()
            print(
                "Recomputed the roll-ups of \(result.accounts) accounts in \(String(format: "%.2f", seconds)) s; "
                    + "\(result.corrected) count\(result.corrected == 1 ? "" : "s") differed from the incremental ones.")
        }
    }

    struct Signals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluates the map's signal rules over every account now, and lists the open signals.",
            discussion: "relais serve does this continuously; this runs one sweep alone.")
        @OptionGroup var map: MapOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try await CLI.openDatabase(database.database)
            let organization = try await CLI.organization(in: db, mapPath: map.map)
            let service = SignalService(map: try await CLI.mapInForce(map.map, database: db, organizationID: organization.id), database: db)
            let pass = try await service.sweep(organizationID: organization.id)
            let open = try await service.list(organizationID: organization.id, status: .open, accountID: nil)
            await db.close()
            print("Evaluated \(pass.accounts) accounts: \(pass.opened) signals opened, \(pass.closed) closed, \(open.count) open.")
            for signal in open {
                print("  \(signal.rule)  \(signal.subject)  \(signal.evidence.count) tickets" + (signal.taskKey.map { "  task \($0)" } ?? ""))
            }
        }
    }
}
