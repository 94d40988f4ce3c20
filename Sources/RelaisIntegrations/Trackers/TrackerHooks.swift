import Crypto
import Foundation
import RelaisCore

/// Webhook deliveries of developers' trackers: checked as each tracker signs them, then read into
/// the issue update they carry. GitHub signs the body with HMAC-SHA256 (`X-Hub-Signature-256`),
/// Jira admin webhooks with a secret do the same in `X-Hub-Signature`, GitLab sends the secret
/// token itself (`X-Gitlab-Token`), and Azure DevOps service hooks send it as the password of
/// basic authentication.
public enum TrackerHooks {
    /// Why a delivery is refused.
    public enum Refusal: Error, Sendable, Equatable {
        /// The delivery does not prove it comes from the tracker (401).
        case unauthenticated(String)
        /// The delivery is not one the tracker sends (400).
        case malformed(String)
    }

    /// One delivery, once checked and read: its id (the same when the tracker sends it again) and
    /// the issue update, nil for an event about something else (a ping, a comment, another project).
    public struct Delivery: Sendable, Equatable {
        public var id: String
        public var update: IssueUpdate?

        public init(id: String, update: IssueUpdate?) {
            self.id = id
            self.update = update
        }
    }

    /// Checks delivery `body` with `headers` (names in any case) against `secret`, then reads it.
    public static func read(_ body: [UInt8], headers: [String: String], tracker: DeveloperTracker, secret: String?) throws -> Delivery {
        let headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let secret, !secret.isEmpty else {
            throw Refusal.unauthenticated("tracker \(tracker.name) has no webhook secret: set the variable its 'secret_env' names")
        }
        try verify(body, headers: headers, kind: tracker.kind, secret: secret)
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw Refusal.malformed("the body is not a JSON object")
            }
            object = parsed
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Refusal.malformed("the body is not JSON")
        }
        switch tracker.kind {
        case .github:
            let id = try required(headers, "x-github-delivery")
            guard headers["x-github-event"] == "issues", let issue = object["issue"] as? [String: Any],
                sameProject((object["repository"] as? [String: Any])?["full_name"] as? String, tracker.project)
            else { return Delivery(id: id, update: nil) }
            return Delivery(id: id, update: try issueUpdate(issue, tracker))
        case .gitlab:
            // GitLab names each delivery in X-Gitlab-Event-UUID; newer versions also send Idempotency-Key, the same on retries.
            let id = try headers["idempotency-key"] ?? required(headers, "x-gitlab-event-uuid")
            let project = object["project"] as? [String: Any]
            let projectMatches =
                sameProject(project?["path_with_namespace"] as? String, tracker.project)
                || TrackerAPI.integer(project?["id"]).map(String.init) == tracker.project
            guard object["object_kind"] as? String == "issue", projectMatches, let attributes = object["object_attributes"] as? [String: Any] else {
                return Delivery(id: id, update: nil)
            }
            return Delivery(id: id, update: try issueUpdate(attributes, tracker))
        case .jira:
            let id = try required(headers, "x-atlassian-webhook-identifier")
            guard let event = object["webhookEvent"] as? String, ["jira:issue_created", "jira:issue_updated"].contains(event),
                let issue = object["issue"] as? [String: Any]
            else { return Delivery(id: id, update: nil) }
            let project = ((issue["fields"] as? [String: Any])?["project"] as? [String: Any])?["key"] as? String
            guard project == nil || project == tracker.project else { return Delivery(id: id, update: nil) }
            return Delivery(id: id, update: try issueUpdate(issue, tracker))
        case .azure:
            guard let id = object["id"] as? String, !id.isEmpty else { throw Refusal.malformed("the body has no event 'id'") }
            guard let event = object["eventType"] as? String, ["workitem.created", "workitem.updated"].contains(event),
                let resource = object["resource"] as? [String: Any]
            else { return Delivery(id: id, update: nil) }
            // An update's resource is the change (fields with old and new values) and carries the
            // work item as it now is under `revision`; a creation's resource is the work item.
            let item = event == "workitem.updated" ? (resource["revision"] as? [String: Any]) ?? resource : resource
            let fields = item["fields"] as? [String: Any] ?? [:]
            if let project = fields["System.TeamProject"] as? String, !sameProject(project, tracker.project) { return Delivery(id: id, update: nil) }
            var workItem = item
            if event == "workitem.updated", let number = resource["workItemId"] { workItem["id"] = number }
            return Delivery(id: id, update: try issueUpdate(workItem, tracker))
        }
    }

    static func issueUpdate(_ object: [String: Any], _ tracker: DeveloperTracker) throws -> IssueUpdate {
        guard let update = TrackerAPI.issue(in: object, tracker: tracker) else {
            throw Refusal.malformed("the \(tracker.kind.rawValue) issue in the body has no id")
        }
        return update
    }

    static func required(_ headers: [String: String], _ name: String) throws -> String {
        guard let value = headers[name], !value.isEmpty else { throw Refusal.malformed("missing header \(name)") }
        return value
    }

    static func sameProject(_ given: String?, _ project: String) -> Bool {
        given.map { $0.caseInsensitiveCompare(project) == .orderedSame } ?? false
    }

    static func verify(_ body: [UInt8], headers: [String: String], kind: DeveloperTracker.Kind, secret: String) throws {
        switch kind {
        case .github, .jira:
            let name = kind == .github ? "x-hub-signature-256" : "x-hub-signature"
            guard let header = headers[name] else { throw Refusal.unauthenticated("missing header \(name)") }
            guard header.hasPrefix("sha256="), let given = hexBytes(header.dropFirst("sha256=".count)) else {
                throw Refusal.unauthenticated("\(name) is not 'sha256=' and a hexadecimal digest")
            }
            let expected = Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
            guard ConstantTime.equal(given, expected) else {
                throw Refusal.unauthenticated("\(name) does not match the body signed with the tracker's secret")
            }
        case .gitlab:
            guard let token = headers["x-gitlab-token"] else { throw Refusal.unauthenticated("missing header x-gitlab-token") }
            guard ConstantTime.equal(Array(token.utf8), Array(secret.utf8)) else {
                throw Refusal.unauthenticated("x-gitlab-token is not the tracker's secret")
            }
        case .azure:
            guard let header = headers["authorization"], header.lowercased().hasPrefix("basic "),
                let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
                let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":")
            else {
                throw Refusal.unauthenticated("missing basic authentication (the service hook's user name and password)")
            }
            guard ConstantTime.equal(Array(pair[pair.index(after: colon)...].utf8), Array(secret.utf8)) else {
                throw Refusal.unauthenticated("the basic authentication password is not the tracker's secret")
            }
        }
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        guard text.count % 2 == 0, !text.isEmpty else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
