import Foundation
import RelaisCore

/// One map an organisation ran or was asked to run.
public struct MapVersion: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Waiting for a decision.
        case proposed
        /// Accepted, to be applied.
        case approved
        /// Refused by someone, or invalid when proposed (then `problems` says why).
        case rejected
        /// Ran at some point (the head tells which one runs now).
        case applied
    }

    /// A problem of a map's text, at its line and column.
    public struct Problem: Sendable, Equatable, Codable, Error {
        public var line: Int
        public var column: Int
        public var message: String
        public init(line: Int, column: Int, message: String) {
            self.line = line
            self.column = column
            self.message = message
        }
    }

    public var id: UUID
    public var organizationID: UUID
    public var number: Int
    public var state: State
    /// The running version the proposal was made against; nil for the first map.
    public var baseNumber: Int?
    /// The version whose text a rollback brought back.
    public var rollbackOf: Int?
    public var text: String
    /// The files the text names (holiday calendars), by the name it gives, as read when proposed.
    public var included: [String: String]
    /// SHA-256 of the text and the files it names, in hex.
    public var hash: String
    public var message: String
    public var authorID: UUID?
    public var author: String
    public var createdAt: Date
    public var decidedByID: UUID?
    public var decidedBy: String?
    public var decidedAt: Date?
    public var decisionNote: String?
    public var appliedBy: String?
    public var appliedAt: Date?
    /// What the version changes against its base.
    public var sections: [MapSection]
    public var domains: [String]
    public var moves: [StatusMove]
    public var problems: [Problem]
}

/// Who acts on the map: a user of the API, or the command line (an operator, treated as an admin).
public struct MapActor: Sendable, Equatable {
    public var id: UUID?
    public var name: String
    public var role: String

    public init(id: UUID?, name: String, role: String) {
        self.id = id
        self.name = name
        self.role = role
    }

    public init(_ principal: Principal) { self.init(id: principal.userID, name: principal.name, role: principal.roleName) }

    public static let commandLine = MapActor(id: nil, name: AuditEntry.commandLine, role: Role.admin.rawValue)

    /// Whether this actor wrote `version`: the same user, or the command line both times.
    func wrote(_ version: MapVersion) -> Bool {
        if let id, let author = version.authorID { return id == author }
        return id == nil && version.authorID == nil && name == version.author
    }
}

/// Why a change to the map was refused.
public enum MapChangeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The actor's role lacks these permissions.
    case forbidden(permissions: [String])
    /// The rules of the running map want someone other than the author to approve.
    case ownProposal(sections: [String])
    /// The text does not validate (the proposal is stored as rejected, as `version`).
    case invalid(version: Int, problems: [MapVersion.Problem])
    /// Applying it would leave stored tickets the map cannot run.
    case wouldBreak(problems: [String])
    /// The proposal was made against a version that no longer runs.
    case stale(base: Int?, running: Int)
    /// The version is not in a state that allows this.
    case wrongState(number: Int, state: MapVersion.State, action: String)
    /// The text is the map that runs.
    case unchanged(running: Int)

    public var description: String {
        switch self {
        case let .forbidden(permissions):
            "missing permission \(permissions.joined(separator: ", "))"
        case let .ownProposal(sections):
            "the author of a proposal cannot approve it: \(sections.joined(separator: ", ")) require\(sections.count == 1 ? "s" : "") a second approver"
        case let .invalid(version, problems):
            "the map does not validate (\(problems.count) problem\(problems.count == 1 ? "" : "s"))"
                + (version > 0 ? "; stored as rejected version \(version)" : "")
        case let .wouldBreak(problems):
            "the map cannot be applied to the tickets stored: " + problems.joined(separator: "; ")
        case let .stale(base, running):
            "the proposal was made against version \(base.map(String.init) ?? "none"), but version \(running) runs now; propose it again against version \(running)"
        case let .wrongState(number, state, action):
            "version \(number) is \(state.rawValue); it cannot be \(action)"
        case let .unchanged(running):
            "the map is the one version \(running) runs; there is nothing to change"
        }
    }
}
