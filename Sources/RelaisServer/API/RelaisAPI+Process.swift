import Foundation
import OpenAPIRuntime
import RelaisCore
import RelaisMining
import RelaisProcess
import RelaisStore

extension RelaisAPI {
    func mineProcess(_ input: Operations.MineProcess.Input) async throws -> Operations.MineProcess.Output {
        var request = try processRequest(
            families: input.query.family, account: input.query.account, from: input.query.from, to: input.query.to,
            activities: input.query.activities?.rawValue)
        request.teams = input.query.team ?? []
        var options = ProcessMiner.Options()
        options.variantCoverage = input.query.coverage.map { $0 / 100 }
        options.variantLimit = input.query.variants
        let report = try await services.process.mine(request, options: options, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(try MiningJSON.convert(report))))
    }

    func mineEventLog(_ input: Operations.MineEventLog.Input) async throws -> Operations.MineEventLog.Output {
        let query = input.query
        if let from = query.from, let to = query.to, from >= to { throw APIProblem.invalidField("from", "from: must be before to") }
        var options = ProcessMiner.Options()
        options.startedFrom = query.from.map(Self.micros)
        options.startedBefore = query.to.map(Self.micros)
        options.variantCoverage = query.coverage.map { $0 / 100 }
        options.variantLimit = query.variants
        options.attributes = try (query._where ?? []).map(AttributeFilter.init(parsing:))
        let body: HTTPBody, format: EventLogFormat?
        switch input.body {
        case .csv(let csv): (body, format) = (csv, .csv)
        case .xml(let xml): (body, format) = (xml, .xes)
        case .applicationGzip(let gzip): (body, format) = (gzip, nil)
        }
        let source = MemoryBytes(try await [UInt8](collecting: body, upTo: services.configuration.maxImportSize))
        if format == nil, try !GzipBytes.isCompressed(source) {
            throw APIProblem.invalidField("body", "the body is declared application/gzip but is not gzip-compressed")
        }
        let reading = EventLogReading(
            names: LogFieldNames(
                caseID: query._case, activity: query.activity, timestamp: query.timestamp, resource: query.resource, group: query.group),
            timestampFormat: query.timestampFormat)
        let report = try await services.process.mine(source, format: format, reading: reading, options: options, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(try MiningJSON.convert(report))))
    }

    private static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

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
