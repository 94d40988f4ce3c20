import ArgumentParser
import Foundation
import RelaisCore
import RelaisMining
import RelaisProcess
import RelaisStore

/// Which of Relais's own tickets to read as an event log, for `relais mine --store` and
/// `relais log export`.
struct OwnLogOptions: ParsableArguments {
    @Flag(help: "Read the demo desk: the bundled map and relais-demo.sqlite (unless --database says otherwise).") var demo = false
    @Option(help: "An SQLite file path, or a postgres:// URL (default: relais.sqlite, or relais-demo.sqlite with --demo).") var database: String?
    @Option(help: "The process map of the tickets: its organisation, families and workflows.") var map: String?
    @Option(help: "A family to keep (repeatable); one family also picks its workflow for conformance.") var family: [String] = []
    @Option(help: "all changes, or only creation and status changes (statuses).") var activities = "all"

    func loadMap() throws -> ProcessMap {
        try CLI.loadMap(demo ? CLI.demoMapPath() : map ?? "relais.map.yaml")
    }

    /// The tickets chosen, for `body` to read through the process service with an administrator's
    /// rights; the map is loaded once and handed over too.
    func withService<T: Sendable>(
        _ configure: (inout ProcessService.Request) throws -> Void = { _ in },
        _ body: (ProcessService, ProcessService.Request, Principal) async throws -> T
    ) async throws -> (result: T, organization: String) {
        guard let kind = OwnEventLog.Activities(rawValue: activities) else { throw ValidationError("--activities must be all or statuses") }
        var request = ProcessService.Request()
        request.selection.families = family
        request.activities = kind
        try configure(&request)
        let db = try await CLI.openDatabase(database ?? (demo ? "relais-demo.sqlite" : "relais.sqlite"))
        do {
            let organization = try await CLI.organization(in: db, mapPath: demo ? try CLI.demoMapPath() : map)
            let processMap = try await CLI.mapInForce(
                demo ? try CLI.demoMapPath() : map ?? "relais.map.yaml", database: db, organizationID: organization.id)
            let principal = Principal(userID: UUID(), organizationID: organization.id, name: "relais", role: .admin)
            let service = ProcessService(map: processMap, database: db, tickets: TicketService(map: processMap, database: db))
            let result = try await body(service, request, principal)
            await db.close()
            return (result, organization.name)
        } catch {
            await db.close()
            if let error = error as? TicketError { throw ValidationError("\(error)") }
            throw error
        }
    }
}
