import Foundation
import RelaisCore
import Yams

/// Reads `relais.map.yaml` into a `ProcessMap`. A map is accepted whole or refused whole:
/// every problem found is reported, each with its line and column.
public enum MapLoader {
    static let sections = [
        "organization", "referential", "calendars", "sla", "teams", "workflows", "families", "routing", "signals", "cmdb", "mailboxes", "roles",
        "governance", "entities", "trackers", "peers", "connectors",
    ]

    /// Loads and validates the map in the file at `path`.
    public static func load(contentsOf path: String) throws -> ProcessMap {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw MapValidationError(problems: [
                MapProblem(file: path, line: 1, column: 1, message: "cannot read the map: \(error.localizedDescription)")
            ])
        }
        return try load(yaml: text, file: path)
    }

    /// Loads and validates a map given as text; `file` names it in problems.
    public static func load(yaml: String, file: String = "relais.map.yaml") throws -> ProcessMap {
        try read(yaml: yaml, file: file).map
    }

    /// Loads and validates a map given as text, with the files it names (holiday calendars) taken
    /// from `included` when given there, else read relative to `file`; returns the map and every
    /// file it named, as read, so the map can be stored whole.
    public static func read(
        yaml: String, file: String = "relais.map.yaml", included: [String: String]? = nil
    ) throws
        -> (map: ProcessMap, included: [String: String])
    {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw MapValidationError(problems: [syntaxProblem(error, file: file)])
        }
        let reader = MapReader(file: file, given: included)
        guard let root else {
            throw MapValidationError(problems: [MapProblem(file: file, line: 1, column: 1, message: "the map is empty; it needs at least 'families'")]
            )
        }
        let sections = reader.fields(root, "map", allowed: Self.sections)
        var map = ProcessMap()
        map.organization = readOrganization(sections["organization"], reader)
        map.referential = readReferential(sections["referential"], reader)
        map.calendars = readCalendars(sections["calendars"], reader)
        (map.entities, map.entityOrder, map.brands) = readEntities(sections["entities"], organization: map.organization, reader)
        map.teams = readTeams(sections["teams"], map: map, reader)
        map.workflows = readWorkflows(sections["workflows"], reader)
        map.sla = readSLA(sections["sla"], map: map, reader)
        if sections["families"] == nil, case .mapping = root {
            reader.problem(at: root, "map: missing required section 'families'")
        }
        map.families = readFamilies(sections["families"], map: map, reader)
        map.referential.mappings = readMappings(sections["referential"], map: map, reader)
        map.routing = readRouting(sections["routing"], map: map, reader)
        map.signals = readSignals(sections["signals"], map: map, reader)
        map.cmdb = readCMDB(sections["cmdb"], reader)
        map.mailboxes = readMailboxes(sections["mailboxes"], map: map, reader)
        map.roles = readRoles(sections["roles"], map: map, reader)
        map.trackers = readTrackers(sections["trackers"], map: map, reader)
        map.peers = readPeers(sections["peers"], organization: map.organization, reader)
        map.connectors = readConnectors(sections["connectors"], reader)
        map.governance = readGovernance(sections["governance"], roles: map.roles, reader)
        guard reader.problems.isEmpty else { throw MapValidationError(problems: reader.problems) }
        return (map, reader.included)
    }

    static func syntaxProblem(_ error: YamlError, file: String) -> MapProblem {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            MapProblem(file: file, line: mark.line, column: mark.column, message: "YAML syntax: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            MapProblem(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in this mapping")
        default:
            MapProblem(file: file, line: 1, column: 1, message: "YAML syntax: \(error)")
        }
    }

    static func readOrganization(_ node: Node?, _ reader: MapReader) -> OrganizationProfile {
        let fields = reader.fields(node, "organization", allowed: ["name", "timezone", "languages"])
        var profile = OrganizationProfile(name: reader.string(fields["name"], "organization.name") ?? "Relais")
        if let zone = fields["timezone"], let name = reader.string(zone, "organization.timezone") {
            if TimeZone(identifier: name) == nil {
                reader.problem(at: zone, "organization.timezone: unknown time zone '\(name)'")
            }
            profile.timezone = name
        }
        let languages = reader.strings(fields["languages"], "organization.languages").map(\.0)
        if !languages.isEmpty { profile.languages = languages }
        return profile
    }
}
