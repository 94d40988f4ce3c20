import Foundation
import NIOPosix
import RelaisCore
import RelaisMining
import RelaisStore

/// Mining of Relais's own event log for the API and the command line: which tickets, which
/// activities, and the workflow to hold them against.
public struct ProcessService: Sendable {
    public struct Request: Sendable {
        public var selection = TicketEventLog.Selection()
        public var activities = OwnEventLog.Activities.all
        /// Keeps the tickets a team held at some point.
        public var teams: [String] = []

        public init() {}
    }

    public let map: ProcessMap
    public let database: RelaisDatabase
    let tickets: TicketService

    public init(map: ProcessMap, database: RelaisDatabase, tickets: TicketService) {
        self.map = map
        self.database = database
        self.tickets = tickets
    }

    public func events(_ request: Request, by principal: Principal) async throws -> [EventList.Event] {
        try principal.require(.read, .processLog)
        for family in request.selection.families where map.families[family] == nil {
            throw TicketError.unknownValue(field: "family", value: family, allowed: map.families.keys.sorted())
        }
        for team in request.teams where map.teams[team] == nil {
            throw TicketError.unknownValue(field: "team", value: team, allowed: map.teams.keys.sorted())
        }
        var selection = request.selection
        selection.scope = principal.access
        let rows = try await TicketEventLog(database: database).rows(organizationID: principal.organizationID, selection: selection)
        return OwnEventLog.events(rows, activities: request.activities)
    }

    /// Mines a log sent from elsewhere (another tool's export), gzip-compressed or not, read as
    /// `format` or as its content says.
    ///
    /// It runs on the thread pool, not on the request's executor, inflating to at most
    /// `limits.maxInflated` bytes and reading for at most `limits.seconds`.
    public func mine(
        _ source: any ByteSource & Sendable, format: EventLogFormat?, reading: EventLogReading, options: ProcessMiner.Options,
        limits: UploadLimits = UploadLimits(), by principal: Principal
    ) async throws -> MiningReport {
        try principal.require(.read, .processLog)
        return try await NIOThreadPool.singleton.runIfActive {
            let bytes = DeadlineBytes(try GzipBytes.inflating(source, name: "the log", maxInflated: limits.maxInflated), seconds: limits.seconds)
            return try ProcessMiner.mine(reading.log(bytes, format: format), options: options)
        }
    }

    /// How much of the server a log sent to be mined may take.
    public struct UploadLimits: Sendable {
        public var maxInflated = 1 << 30
        public var seconds = 120
        public init() {}
    }

    /// Mines the tickets chosen. A ticket's case starts when it is created, so the options' period
    /// narrows the tickets read too; teams keep the tickets they held; with one family and no
    /// workflow in the options, the tickets are held against the family's.
    public func mine(_ request: Request, options: ProcessMiner.Options = .init(), by principal: Principal) async throws -> MiningReport {
        var request = request, options = options
        if let from = options.startedFrom { request.selection.createdFrom = Date(timeIntervalSince1970: Double(from) / 1e6) }
        if let before = options.startedBefore { request.selection.createdBefore = Date(timeIntervalSince1970: Double(before) / 1e6) }
        let events = try await events(request, by: principal)
        if !request.teams.isEmpty { options.attributes.append(AttributeFilter(key: "team", values: Set(request.teams))) }
        if options.workflow == nil, request.selection.families.count == 1, let family = map.families[request.selection.families[0]] {
            options.workflow = map.workflow(of: family)
        }
        return try ProcessMiner.mine(.events(EventList(events)), options: options)
    }
}
