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
        request.variantCoverage = try coverageShare(input.query.coverage)
        request.variantLimit = try variantLimit(input.query.variants)
        let report = try await services.process.mine(request, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(try MiningJSON.convert(report))))
    }

    func mineEventLog(_ input: Operations.MineEventLog.Input) async throws -> Operations.MineEventLog.Output {
        let query = input.query
        var options = ProcessMiner.Options()
        options.startedFrom = query.from.map { Int64(($0.timeIntervalSince1970 * 1_000_000).rounded()) }
        options.startedBefore = query.to.map { Int64(($0.timeIntervalSince1970 * 1_000_000).rounded()) }
        if let from = query.from, let to = query.to, from >= to { throw APIProblem.invalidField("from", "from: must be before to") }
        options.variantCoverage = try coverageShare(query.coverage)
        options.variantLimit = try variantLimit(query.variants)
        do {
            options.attributes = try (query._where ?? []).map(AttributeFilter.init(parsing:))
        } catch let error as EventLogError {
            throw APIProblem.invalidField("where", "where: \(error)")
        }
        let body: HTTPBody, declared: String
        switch input.body {
        case .csv(let csv): (body, declared) = (csv, "csv")
        case .xml(let xml): (body, declared) = (xml, "xes")
        case .applicationGzip(let gzip): (body, declared) = (gzip, "gzip")
        }
        var bytes = Array(try await Data(collecting: body, upTo: services.configuration.maxImportSize))
        var source: any ByteSource = MemoryBytes(bytes)
        if GzipBytes.isCompressed(bytes) {
            var inflated: [UInt8] = []
            try GzipBytes(source, name: "the body").read { inflated.append(contentsOf: $0) }
            bytes = inflated
            source = MemoryBytes(inflated)
        } else if declared == "gzip" {
            throw APIProblem.invalidField("body", "the body is declared application/gzip but is not gzip-compressed")
        }
        // Compressed, the body says what it is by its first character.
        let isXES = declared == "xes" || (declared == "gzip" && bytes.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) } == 0x3C)
        let names = LogFieldNames(caseID: query._case, activity: query.activity, timestamp: query.timestamp, resource: query.resource, group: query.group)
        let log: EventLog
        if isXES {
            log = .xes(XESEventLog(source: source, keys: names.xesKeys))
        } else {
            let timestamps: TimestampParser
            do {
                timestamps = try query.timestampFormat.map { try TimestampParser(pattern: $0) } ?? TimestampParser()
            } catch {
                throw APIProblem.invalidField("timestamp_format", "timestamp_format: \(error)")
            }
            log = .csv(CSVEventLog(source: source, columns: names.csvColumns, timestamps: timestamps))
        }
        let report = try services.process.mine(log, options: options, by: try RequestPrincipal.require())
        return .ok(.init(body: .json(try MiningJSON.convert(report))))
    }

    /// A percentage of cases as a share, checked after the division: a percentage too small for
    /// a Double's share is no share.
    private func coverageShare(_ coverage: Double?) throws -> Double? {
        guard let coverage else { return nil }
        let share = coverage / 100
        guard share > 0 && share <= 1 else { throw APIProblem.invalidField("coverage", "coverage: must be above 0 and at most 100") }
        return share
    }

    private func variantLimit(_ limit: Int?) throws -> Int? {
        guard let limit else { return nil }
        guard limit >= 1 else { throw APIProblem.invalidField("variants", "variants: must be at least 1") }
        return limit
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
