import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RelaisCore
import RelaisStore

/// Keeps a peer tool's tickets in step: reads its API page after page from where the last sync
/// stopped, imports each page (upserted by source and id, so nothing is duplicated) and moves
/// the stored cursor after it. A tool that is down or rate-limited (5xx, 429, a transport error)
/// is asked again after a growing pause (its `Retry-After` when it gives one); after `tries`
/// failed tries of one page the run stops with the cursor where the last imported page left it.
public final class PeerSync: Sendable {
    public struct Settings: Sendable {
        public var pageSize = 100
        /// Tries of one page before the run gives up.
        public var tries = 6
        /// The first pause after a failed try; each next one doubles, up to `longestPause`.
        public var firstPause: TimeInterval = 1
        public var longestPause: TimeInterval = 300
        public var timeout: TimeInterval = 60
        /// Whether the tool may be on loopback or a private network (`EgressClient`).
        public var allowPrivateEgress = false
        public init() {}
    }

    /// What a run did.
    public struct Report: Sendable, Equatable {
        public var pages = 0
        /// Tries that failed and were made again.
        public var retries = 0
        public var imported = PeerImporter.Report()
        public var caughtUp = false
    }

    /// Why a run stopped before catching up.
    public typealias Stopped = SyncStopped

    public let feed: PeerFeed
    let importer: PeerImporter
    let cursors: PeerCursors
    let organizationID: UUID
    let settings: Settings
    let caller: APICaller
    let now: @Sendable () -> Date

    /// `sleep` waits between tries (tests pass one that only records).
    public init(
        connection: PeerConnection, map: ProcessMap, database: RelaisDatabase, organizationID: UUID,
        environment: [String: String] = ProcessInfo.processInfo.environment, settings: Settings = Settings(),
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(for: .milliseconds(Int($0 * 1000))) },
        now: @escaping @Sendable () -> Date = Date.init
    ) throws {
        guard let token = SecretVariable.value(connection.tokenVariable, in: environment) else {
            throw Stopped(reason: "environment variable \(connection.tokenVariable) (the \(connection.source) token) is not set")
        }
        var user: String?
        if let variable = connection.userVariable {
            guard let value = SecretVariable.value(variable, in: environment) else {
                throw Stopped(reason: "environment variable \(variable) (the \(connection.source) account) is not set")
            }
            user = value
        }
        feed = PeerFeed(connection: connection, credentials: .init(token: token, user: user), pageSize: settings.pageSize)
        importer = PeerImporter(database: database, map: map)
        cursors = PeerCursors(database: database)
        self.organizationID = organizationID
        self.settings = settings
        self.now = now
        caller = APICaller(
            name: connection.source,
            limits: .init(
                tries: settings.tries, firstPause: settings.firstPause, longestPause: settings.longestPause,
                timeout: settings.timeout, allowPrivate: settings.allowPrivateEgress),
            sleep: sleep, now: now)
    }

    public func shutdown() async { await caller.shutdown() }

    /// Reads pages until the tool has nothing newer, or a page cannot be had; `progress` hears
    /// the records read so far.
    public func run(progress: (@Sendable (Int) -> Void)? = nil) async throws -> Report {
        let source = feed.connection.source
        var cursor = try await cursors.position(of: source, organizationID: organizationID).flatMap { PeerFeed.Cursor.read($0.cursor) }
        var report = Report()
        while true {
            let body: Data
            do {
                let retriedBefore = caller.retries
                body = try await caller.send(feed.request(after: cursor)).body
                report.retries += caller.retries - retriedBefore
            } catch let stopped as Stopped {
                try await cursors.failed(source, reason: stopped.reason, organizationID: organizationID)
                throw stopped
            }
            let page: PeerFeed.Page
            do {
                page = try feed.page(body, after: cursor)
            } catch let unreadable as PeerFeed.Unreadable {
                try await cursors.failed(source, reason: unreadable.reason, organizationID: organizationID)
                throw Stopped(reason: unreadable.reason)
            }
            report.pages += 1
            let number = report.pages
            let inputs = page.inputs.map {
                PeerInput(
                    position: "page \(number), \($0.position)",
                    record: $0.record.mapError {
                        PeerRecordProblem(position: "page \(number), \($0.position)", reason: $0.reason)
                    })
            }
            let imported = try await importer.run(inputs, fields: feed.referentialFields, organizationID: organizationID)
            report.imported.merge(imported)
            try await cursors.advance(source, to: page.cursor.text, records: inputs.count, organizationID: organizationID, at: now())
            progress?(report.imported.received)
            cursor = page.cursor
            if page.caughtUp {
                report.caughtUp = true
                return report
            }
        }
    }
}

extension PeerImporter.Report {
    /// Adds what another run did.
    mutating func merge(_ other: PeerImporter.Report) {
        received += other.received
        created += other.created
        updated += other.updated
        unchanged += other.unchanged
        skipped += other.skipped
        for (field, values) in other.uncovered {
            for (value, count) in values { uncovered[field, default: [:]][value, default: 0] += count }
        }
    }
}
