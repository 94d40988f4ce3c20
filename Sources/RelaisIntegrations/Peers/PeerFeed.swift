import Foundation
import RelaisCore

/// The pages of a peer tool's API that `relais sync` reads, and where each page leaves the sync.
///
/// Zendesk's incremental export has a cursor of its own. ServiceNow, Jira and Freshservice are
/// read by update time, oldest first: each page asks for the records updated at or after the last
/// one read, and drops those already read at that instant, so a record that changes during the
/// walk is read again rather than skipping others (what offset paging would do).
public struct PeerFeed: Sendable {
    public let connection: PeerConnection
    let credentials: TrackerAPI.Credentials
    public var pageSize: Int

    public init(connection: PeerConnection, credentials: TrackerAPI.Credentials, pageSize: Int = 100) {
        self.connection = connection
        self.credentials = credentials
        self.pageSize = pageSize
    }

    /// Where a sync stands, stored between pages and runs.
    public struct Cursor: Codable, Sendable, Equatable {
        /// Zendesk's `after_cursor`.
        public var cursor: String?
        /// For the tools read by time: the update time (milliseconds, at the tool's precision)
        /// of the last record read, the ids already read at that time, and how many records
        /// sharing it were skipped by offset when more than a page did.
        public var time: Int64?
        public var seen: [String]?
        /// When more records share `time` than a page holds (a mass update): how many of them to
        /// skip, in the tool's stable order (ServiceNow only).
        public var offset: Int?

        public init(cursor: String? = nil, time: Int64? = nil, seen: [String]? = nil, offset: Int? = nil) {
            self.cursor = cursor
            self.time = time
            self.seen = seen
            self.offset = offset
        }

        public var text: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self) }

        public static func read(_ text: String) -> Cursor? { try? JSONDecoder().decode(Cursor.self, from: Data(text.utf8)) }
    }

    /// One page read: its records, the cursor after it, and whether the tool has nothing newer.
    public struct Page: Sendable {
        public var inputs: [PeerInput]
        public var cursor: Cursor
        public var caughtUp: Bool
    }

    /// The tool's reader of the records of a page.
    var tool: any PeerTool.Type {
        switch connection.source {
        case "servicenow": ServiceNowRecords.self
        case "jira": JiraIssues.self
        case "zendesk": ZendeskTickets.self
        default: FreshserviceTickets.self
        }
    }

    public var referentialFields: [String] { tool.referentialFields }

    /// Seconds of the tool's time filter: Jira's JQL takes minutes.
    var precision: Int64 { connection.source == "jira" ? 60_000 : 1_000 }

    /// The request for the page after `cursor` (nil: the first sync, from `since` or the start).
    public func request(after cursor: Cursor?) -> OutboundRequest {
        let base = connection.url
        let since = cursor?.time ?? connection.since.map { Int64($0.timeIntervalSince1970 * 1000) } ?? 0
        let url: String
        switch connection.source {
        case "zendesk":
            if let after = cursor?.cursor {
                url = "\(base)/api/v2/incremental/tickets/cursor.json?" + Self.query([("cursor", after), ("per_page", String(pageSize))])
            } else {
                url =
                    "\(base)/api/v2/incremental/tickets/cursor.json?"
                    + Self.query([("start_time", String(since / 1000)), ("per_page", String(pageSize))])
            }
        case "servicenow":
            let table = connection.query ?? "incident"
            url =
                "\(base)/api/now/table/\(OutboundHTTP.segment(table))?"
                + Self.query(
                    [
                        ("sysparm_query", "sys_updated_on>=\(Self.format(since, "yyyy-MM-dd HH:mm:ss"))^ORDERBYsys_updated_on^ORDERBYsys_id"),
                        ("sysparm_display_value", "all"), ("sysparm_exclude_reference_link", "true"), ("sysparm_limit", String(pageSize)),
                    ] + (cursor?.offset.map { [("sysparm_offset", String($0))] } ?? []))
        case "jira":
            let filter = connection.query.map { "(\($0)) AND " } ?? ""
            url =
                "\(base)/rest/api/3/search/jql?"
                + Self.query([
                    (
                        "jql",
                        "\(filter)updated >= \"\(Self.format(since, "yyyy/MM/dd HH:mm", zone: connection.timezone))\" ORDER BY updated ASC, key ASC"
                    ),
                    ("maxResults", String(pageSize)), ("expand", "changelog"), ("fields", "*all"),
                ])
        default:
            url =
                "\(base)/api/v2/tickets?"
                + Self.query([
                    ("updated_since", Self.format(since, "yyyy-MM-dd'T'HH:mm:ss'Z'")), ("order_by", "updated_at"), ("order_type", "asc"),
                    ("per_page", String(pageSize)), ("page", "1"),
                ])
        }
        var headers = ["Accept": "application/json", "User-Agent": "Relais-Sync/1"]
        let pair =
            switch connection.source {
            case "zendesk": "\(credentials.user ?? "")/token:\(credentials.token)"
            case "freshservice": "\(credentials.token):X"
            default: "\(credentials.user ?? ""):\(credentials.token)"
            }
        headers["Authorization"] = "Basic " + Data(pair.utf8).base64EncodedString()
        return OutboundRequest(method: "GET", url: url, headers: headers, body: nil)
    }

    /// Why a page cannot be read.
    public struct Unreadable: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Reads the answer to the request after `cursor`.
    public func page(_ body: Data, after cursor: Cursor?) throws -> Page {
        let inputs: [PeerInput]
        do {
            inputs = try tool.read(body)
        } catch let problem as PeerRecordProblem {
            throw Unreadable(reason: "the \(connection.source) answer cannot be read: \(problem.reason)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw Unreadable(reason: "the \(connection.source) answer is not a JSON object")
        }
        if connection.source == "zendesk" {
            guard let after = object["after_cursor"] as? String else {
                if object["end_of_stream"] as? Bool == true { return Page(inputs: inputs, cursor: cursor ?? Cursor(), caughtUp: true) }
                throw Unreadable(reason: "the Zendesk answer has no after_cursor")
            }
            return Page(inputs: inputs, cursor: Cursor(cursor: after), caughtUp: object["end_of_stream"] as? Bool ?? true)
        }
        // Read by time: drop what was read already at the cursor's instant, move the cursor to
        // the last record's instant.
        let items: [[String: Any]] = (object[itemsKey] as? [[String: Any]]) ?? []
        var time = cursor?.time, seen = Set(cursor?.seen ?? [])
        var fresh: [PeerInput] = []
        for (item, input) in zip(items, inputs) {
            guard let (id, updated) = Self.stamp(item, source: connection.source) else {
                fresh.append(input)
                continue
            }
            let instant = updated - updated % precision
            // Older than the cursor: read by an earlier page (a filter read in another time zone
            // than it was written in gives some back); the cursor never moves back.
            if let current = time, instant < current { continue }
            if let current = time, instant == current, seen.contains(id) { continue }
            if time != instant {
                time = instant
                seen = []
            }
            seen.insert(id)
            fresh.append(input)
        }
        var next = Cursor(time: time, seen: seen.sorted())
        let full = items.count >= pageSize
        // A full page with nothing new means more records share one instant than a page holds:
        // ServiceNow goes on by offset among them (its order is stable: time, then sys_id) until
        // the time moves; the others cannot.
        if (fresh.isEmpty && full) || (cursor?.offset != nil && time == cursor?.time) {
            guard connection.source == "servicenow" else {
                throw Unreadable(reason: "more than \(pageSize) \(connection.source) records were updated at one instant; sync with a larger page")
            }
            next.offset = seen.count
        }
        return Page(inputs: fresh, cursor: next, caughtUp: !full || isLast(object))
    }

    var itemsKey: String {
        switch connection.source {
        case "servicenow": "result"
        case "jira": "issues"
        default: "tickets"
        }
    }

    func isLast(_ object: [String: Any]) -> Bool {
        connection.source == "jira" && object["isLast"] as? Bool == true && object["nextPageToken"] == nil
    }

    /// A record's id and update time, as the tool's time filter sees it.
    static func stamp(_ item: [String: Any], source: String) -> (String, Int64)? {
        let id: String?, updated: String?
        switch source {
        case "servicenow":
            id = item["sys_id"] as? String ?? (item["sys_id"] as? [String: Any])?["value"] as? String
            let field = item["sys_updated_on"]
            updated = field as? String ?? (field as? [String: Any])?["value"] as? String
        case "jira":
            id = item["key"] as? String
            updated = (item["fields"] as? [String: Any])?["updated"] as? String
        default:
            id = PeerJSON.text(item["id"])
            updated = item["updated_at"] as? String
        }
        guard let id, let updated, let date = ColumnMapping.time(updated) else { return nil }
        return (id, Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    static func format(_ millis: Int64, _ pattern: String, zone: String = "UTC") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(millis) / 1000))
    }

    static func query(_ items: [(String, String)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#^\"")
        return items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
    }
}
