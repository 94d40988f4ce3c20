import Foundation
import RelaisCore

/// Fills a database with a realistic organisation: accounts with tiers and revenue, their
/// contacts, and tickets spread over past months that have walked through their workflows.
public struct DemoData: Sendable {
    public struct Options: Sendable {
        public var tickets: Int
        public var accounts: Int?
        /// How far back the first ticket was opened.
        public var months: Int
        public var seed: UInt64
        public var end: Date
        public var batchSize: Int

        public init(tickets: Int, accounts: Int? = nil, months: Int = 6, seed: UInt64 = 42, end: Date = Date(), batchSize: Int = 2_000) {
            self.tickets = tickets
            self.accounts = accounts
            self.months = months
            self.seed = seed
            self.end = end
            self.batchSize = batchSize
        }
    }

    public struct Summary: Sendable, Equatable {
        public var accounts: Int
        public var contacts: Int
        public var tickets: Int
        public var events: Int
    }

    public let map: ProcessMap
    public let database: RelaisDatabase

    public init(map: ProcessMap, database: RelaisDatabase) {
        self.map = map
        self.database = database
    }

    /// Generates and stores the data; `progress` hears how many tickets are stored so far.
    public func generate(organizationID: UUID, options: Options, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Summary {
        var random = SeededRandom(seed: options.seed)
        let start = options.end.addingTimeInterval(-Double(options.months) * 30 * 86_400)
        let accounts = DemoAccounts.make(count: options.accounts ?? max(12, min(2_000, options.tickets / 150)), created: start, random: &random)
        let crm = CRMRepository(database: database)
        try await crm.insertMany(accounts, organizationID: organizationID)
        // Drawn from their own sequence, so the tickets stay the same whatever the records are.
        var recordRandom = SeededRandom(seed: options.seed &+ 1)
        try await crm.insertMany(DemoRecords.make(for: accounts.map(\.0), today: options.end, random: &recordRandom), organizationID: organizationID)
        let walk = DemoTicketWalk(map: map, organizationID: organizationID, end: options.end)
        let writer = BulkTicketWriter(database: database)
        let span = options.end.timeIntervalSince(start)
        let weighted = WeightedAccounts(accounts)
        var summary = Summary(accounts: accounts.count, contacts: accounts.reduce(0) { $0 + $1.1.count }, tickets: 0, events: 0)
        var batch: [HistoricTicket] = []
        batch.reserveCapacity(options.batchSize)
        // The next batch is made while the previous one is written.
        var writing: Task<Int, any Error>?
        for index in 0..<options.tickets {
            // Evenly spread creation times, jittered, in order so ticket numbers follow time.
            let slot = span * (Double(index) + Double.random(in: 0..<1, using: &random)) / Double(options.tickets)
            let created = Self.workingHours(start.addingTimeInterval(slot), random: &random)
            if let ticket = try walk.make(at: min(created, options.end), accounts: weighted, random: &random) {
                batch.append(ticket)
            }
            if batch.count == options.batchSize || index == options.tickets - 1 {
                if let written = try await writing?.value {
                    summary.tickets += written
                    progress(summary.tickets)
                }
                summary.events += batch.reduce(0) { $0 + $1.history.count }
                let ready = batch
                writing = Task {
                    let written = try await writer.write(ready, organizationID: organizationID)
                    try await Self.rate(written, on: database)
                    return written.count
                }
                batch.removeAll(keepingCapacity: true)
            }
        }
        if let written = try await writing?.value {
            summary.tickets += written
            progress(summary.tickets)
        }
        return summary
    }

    /// About two in five requesters rate their solved ticket, mostly well; the score is drawn from the ticket's id.
    static func rate(_ tickets: [Ticket], on database: RelaisDatabase) async throws {
        let rows: [RowInsert.Row] = tickets.compactMap { ticket in
            let bytes = ticket.id.uuid
            guard ticket.statusCategory.isDone, bytes.10 % 5 < 2 else { return nil }
            let score = [5, 5, 5, 4, 4, 4, 3, 2, 1][Int(bytes.11) % 9]
            return [ticket.id.text, ticket.organizationID.text, ticket.accountID?.text, score, nil as String?, Millis.from(ticket.updatedAt)]
        }
        try await database.transaction { db in
            try await RowInsert.run(
                "ticket_ratings", columns: ["ticket_id", "organization_id", "account_id", "score", "comment", "rated_at"], rows: rows, on: db)
        }
    }

    /// Most requests arrive in office hours: move four in five night or weekend times into the next working morning.
    static func workingHours(_ date: Date, random: inout SeededRandom) -> Date {
        let seconds = Int(date.timeIntervalSince1970)
        let day = seconds / 86_400, secondOfDay = seconds % 86_400
        let weekday = (day + 3) % 7  // 1970-01-01 was a Thursday; 0 is Monday
        let inHours = weekday < 5 && (8 * 3600..<18 * 3600).contains(secondOfDay)
        guard !inHours, random.chance(0.8) else { return date }
        var nextDay = secondOfDay >= 8 * 3600 ? day + 1 : day
        while (nextDay + 3) % 7 >= 5 { nextDay += 1 }
        return Date(timeIntervalSince1970: Double(nextDay * 86_400 + 8 * 3600 + Int.random(in: 0..<9 * 3600, using: &random)))
    }
}
