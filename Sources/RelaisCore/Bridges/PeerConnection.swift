import Foundation

/// How Relais reaches a peer ticketing tool's API to keep its tickets in step (`relais sync`), as
/// the map's `peers` section declares it. One connection per tool; its name is the source the
/// referential's mappings name (`servicenow`, `jira`, `zendesk`, `freshservice`).
public struct PeerConnection: Sendable, Equatable {
    public static let sources = ["servicenow", "jira", "zendesk", "freshservice"]

    public var source: String
    /// The instance: `https://acme.service-now.com`, `https://acme.atlassian.net`,
    /// `https://acme.zendesk.com`, `https://acme.freshservice.com`.
    public var url: String
    /// The environment variable holding the account (ServiceNow user, Jira or Zendesk e-mail);
    /// Freshservice needs none (its API key is the whole credential).
    public var userVariable: String?
    /// The environment variable holding the password, API token or key.
    public var tokenVariable: String
    /// Seconds between two syncs of `relais sync` when it keeps running.
    public var every: TimeInterval
    /// Where a first sync starts: records updated since then.
    public var since: Date?
    /// For Jira, the JQL that chooses the issues (`project = SUP`); for ServiceNow, the table (`incident`).
    public var query: String?
    /// The time zone the tool reads times of filters in (Jira's JQL uses the API account's).
    public var timezone: String

    public init(
        source: String, url: String, userVariable: String? = nil, tokenVariable: String, every: TimeInterval = 300, since: Date? = nil,
        query: String? = nil, timezone: String = "UTC"
    ) {
        self.source = source
        self.url = url
        self.userVariable = userVariable
        self.tokenVariable = tokenVariable
        self.every = every
        self.since = since
        self.query = query
        self.timezone = timezone
    }
}
