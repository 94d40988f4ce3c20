import Foundation
import RelaisCore
import Yams

extension MapLoader {
    /// `peers: { zendesk: { url: https://acme.zendesk.com, user_env: ZENDESK_EMAIL, token_env: ZENDESK_TOKEN, every: 5m } }`:
    /// the peer tools `relais sync` reads. Credentials come from the environment variables named;
    /// times in filters are written in `timezone`, the organisation's unless given.
    static func readPeers(_ node: Node?, organization: OrganizationProfile, _ reader: MapReader) -> [String: PeerConnection] {
        var peers: [String: PeerConnection] = [:]
        for pair in reader.pairs(node, "peers") {
            let path = "peers.\(pair.key)"
            guard PeerConnection.sources.contains(pair.key) else {
                reader.problem(at: pair.keyNode, "peers: unknown tool '\(pair.key)' (known: \(PeerConnection.sources.joined(separator: ", ")))")
                continue
            }
            let fields = reader.fields(pair.value, path, allowed: ["url", "user_env", "token_env", "every", "since", "query", "timezone"])
            let url = reader.requiredString(fields, "url", path, at: pair.value)
            if let url, !isWebAddress(url) { reader.problem(at: fields["url"], "\(path).url: '\(url)' is not an http or https address") }
            let variables = secretVariables(["user_env", "token_env"], of: fields, path, reader)
            if fields["token_env"] == nil {
                reader.problem(at: pair.value, "\(path): missing 'token_env' (the environment variable holding the token or password)")
            }
            if pair.key != "freshservice", fields["user_env"] == nil {
                reader.problem(at: pair.value, "\(path): missing 'user_env' (the environment variable holding the account)")
            }
            var every: TimeInterval = 300
            if let node = fields["every"], let text = reader.string(node, "\(path).every") {
                if let seconds = BusinessDuration.seconds(in: text, day: 86_400, week: 7 * 86_400), seconds >= 10 {
                    every = TimeInterval(seconds)
                } else {
                    reader.problem(at: node, "\(path).every: '\(text)' is not a duration of at least 10s (like 30s, 5m, 1h)")
                }
            }
            var since: Date?
            if let node = fields["since"], let text = reader.string(node, "\(path).since") {
                if let day = CivilDate(iso: text) {
                    since = Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch) * 86_400)
                } else {
                    reader.problem(at: node, "\(path).since: '\(text)' is not a date (YYYY-MM-DD)")
                }
            }
            var timezone = organization.timezone
            if let node = fields["timezone"], let name = reader.string(node, "\(path).timezone") {
                if TimeZone(identifier: name) != nil {
                    timezone = name
                } else {
                    reader.problem(at: node, "\(path).timezone: unknown time zone '\(name)'")
                }
            }
            guard let url, let token = variables["token_env"] else { continue }
            peers[pair.key] = PeerConnection(
                source: pair.key, url: url.hasSuffix("/") ? String(url.dropLast()) : url, userVariable: variables["user_env"],
                tokenVariable: token, every: every, since: since,
                query: fields["query"].flatMap { reader.string($0, "\(path).query") }, timezone: timezone)
        }
        return peers
    }
}
