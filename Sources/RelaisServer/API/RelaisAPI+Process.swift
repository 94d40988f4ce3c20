import Foundation
import OpenAPIRuntime
import RelaisMining
import RelaisStore

extension RelaisAPI {
    func mineProcess(_ input: Operations.MineProcess.Input) async throws -> Operations.MineProcess.Output {
        var request = try processRequest(
            families: input.query.family, account: input.query.account, from: input.query.from, to: input.query.to,
            activities: input.query.activities?.rawValue)
        request.teams = input.query.team ?? []
        if let coverage = input.query.coverage {
            // Checked after the division: a percentage too small for a Double's share is no share.
            let share = coverage / 100
            guard share > 0 && share <= 1 else { throw APIProblem.invalidField("coverage", "coverage: must be above 0 and at most 100") }
            request.variantCoverage = share
        }
        let report = try await services.process.mine(request, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(try MiningJSON.convert(report))))
    }

    func exportProcessLog(_ input: Operations.ExportProcessLog.Input) async throws -> Operations.ExportProcessLog.Output {
        let request = try processRequest(
            families: input.query.family, account: input.query.account, from: input.query.from, to: input.query.to,
            activities: input.query.activities?.rawValue)
        let events = try await services.process.events(request, by: try RequestPrincipal.require())
        if input.query.format == .csv {
            return .ok(.init(body: .csv(HTTPBody(EventLogWriter.csv(events)))))
        }
        return .ok(.init(body: .xml(HTTPBody(EventLogWriter.xes(events, logName: services.organization.name)))))
    }

    private func processRequest(families: [String]?, account: String?, from: Date?, to: Date?, activities: String?) throws -> ProcessService.Request {
        var request = ProcessService.Request()
        request.selection.families = families ?? []
        request.selection.accountID = try account.map { try parseID($0, field: "account") }
        request.selection.createdFrom = from
        request.selection.createdBefore = to
        if let from, let to, from >= to { throw APIProblem.invalidField("from", "from: must be before to") }
        request.activities = activities.flatMap(OwnEventLog.Activities.init(rawValue:)) ?? .all
        return request
    }
}

/// The report as the schema's generated type (both speak the same snake_case JSON).
enum MiningJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func convert(_ report: MiningReport) throws -> Components.Schemas.MiningReport {
        try JSONDecoder().decode(Components.Schemas.MiningReport.self, from: encoder.encode(report))
    }
}
