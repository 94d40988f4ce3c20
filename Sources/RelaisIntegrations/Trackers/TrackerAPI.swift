import Foundation
import RelaisCore

/// The requests Relais sends to developers' trackers and how their answers read, per tracker:
/// GitHub REST (issues), GitLab REST v4 (project issues), Jira Cloud REST v3 (issues, with an
/// Atlassian Document Format description), Azure DevOps REST 7.1 (work items, JSON Patch).
public enum TrackerAPI {
    /// What authenticates Relais with a tracker, read from the environment variables the map names.
    public struct Credentials: Sendable, Equatable {
        public var token: String
        /// Jira's account e-mail, which goes with the token.
        public var user: String?

        public init(token: String, user: String? = nil) {
            self.token = token
            self.user = user
        }

        /// The credentials of `tracker` in `environment`, or why there are none.
        public static func of(_ tracker: DeveloperTracker, in environment: [String: String]) -> Result<Credentials, TrackerFailure> {
            guard let token = SecretVariable.value(tracker.tokenVariable, in: environment) else {
                return .failure(
                    .init(reason: "environment variable \(tracker.tokenVariable) (the token of tracker \(tracker.name)) is not set", retry: true))
            }
            if let variable = tracker.userVariable {
                guard let user = SecretVariable.value(variable, in: environment) else {
                    return .failure(
                        .init(reason: "environment variable \(variable) (the account of tracker \(tracker.name)) is not set", retry: true))
                }
                return .success(Credentials(token: token, user: user))
            }
            return .success(Credentials(token: token))
        }
    }

    /// Why a tracker did not do what it was asked; `retry` when asking again later may work.
    public struct TrackerFailure: Error, Sendable, Equatable {
        public var reason: String
        public var retry: Bool
        /// How long the tracker asked to wait (`Retry-After`).
        public var retryAfter: TimeInterval?

        public init(reason: String, retry: Bool, retryAfter: TimeInterval? = nil) {
            self.reason = reason
            self.retry = retry
            self.retryAfter = retryAfter
        }
    }

    /// The request opening `issue` in `tracker`.
    public static func create(_ issue: DeveloperIssue, in tracker: DeveloperTracker, credentials: Credentials) -> OutboundRequest {
        switch tracker.kind {
        case .github:
            return OutboundRequest(
                method: "POST", url: "\(tracker.url)/repos/\(tracker.project)/issues", headers: headers(tracker, credentials),
                body: OutboundHTTP.json(["title": issue.title, "body": issue.body, "labels": issue.labels]))
        case .gitlab:
            var fields: [String: Any] = ["title": issue.title, "description": issue.body]
            if !issue.labels.isEmpty { fields["labels"] = issue.labels.joined(separator: ",") }
            return OutboundRequest(
                method: "POST", url: "\(tracker.url)/api/v4/projects/\(OutboundHTTP.segment(tracker.project))/issues",
                headers: headers(tracker, credentials),
                body: OutboundHTTP.json(fields))
        case .jira:
            var fields: [String: Any] = [
                "project": ["key": tracker.project], "summary": issue.title, "issuetype": ["name": tracker.issueType],
                "description": DocumentFormat.document(fromMarkdown: issue.body),
            ]
            if !issue.labels.isEmpty { fields["labels"] = issue.labels.map { $0.replacingOccurrences(of: " ", with: "-") } }
            return OutboundRequest(
                method: "POST", url: "\(tracker.url)/rest/api/3/issue", headers: headers(tracker, credentials),
                body: OutboundHTTP.json(["fields": fields]))
        case .azure:
            let html = HTMLBlocks.html(fromMarkdown: issue.body)
            var operations: [[String: Any]] = [
                ["op": "add", "path": "/fields/System.Title", "value": issue.title],
                ["op": "add", "path": "/fields/System.Description", "value": html],
            ]
            if tracker.issueType.caseInsensitiveCompare("Bug") == .orderedSame {
                operations.append(["op": "add", "path": "/fields/Microsoft.VSTS.TCM.ReproSteps", "value": html])
            }
            if !issue.labels.isEmpty {
                operations.append(["op": "add", "path": "/fields/System.Tags", "value": issue.labels.joined(separator: "; ")])
            }
            var request = OutboundRequest(
                method: "POST",
                url:
                    "\(tracker.url)/\(OutboundHTTP.segment(tracker.project))/_apis/wit/workitems/$\(OutboundHTTP.segment(tracker.issueType))?api-version=7.1",
                headers: headers(tracker, credentials), body: OutboundHTTP.json(operations))
            request.headers["Content-Type"] = "application/json-patch+json"
            return request
        }
    }

    /// The request reading issue `id` of `tracker` (a ticket linked to an issue that exists).
    public static func read(issue id: String, in tracker: DeveloperTracker, credentials: Credentials) -> OutboundRequest {
        let url =
            switch tracker.kind {
            case .github: "\(tracker.url)/repos/\(tracker.project)/issues/\(OutboundHTTP.segment(id))"
            case .gitlab: "\(tracker.url)/api/v4/projects/\(OutboundHTTP.segment(tracker.project))/issues/\(OutboundHTTP.segment(id))"
            case .jira: "\(tracker.url)/rest/api/3/issue/\(OutboundHTTP.segment(id))?fields=status"
            case .azure: "\(tracker.url)/\(OutboundHTTP.segment(tracker.project))/_apis/wit/workitems/\(OutboundHTTP.segment(id))?api-version=7.1"
            }
        return OutboundRequest(method: "GET", url: url, headers: headers(tracker, credentials), body: nil)
    }

    static func headers(_ tracker: DeveloperTracker, _ credentials: Credentials) -> [String: String] {
        var headers = ["Accept": "application/json", "Content-Type": "application/json", "User-Agent": "Relais-Trackers/1"]
        switch tracker.kind {
        case .github:
            headers["Accept"] = "application/vnd.github+json"
            headers["Authorization"] = "Bearer \(credentials.token)"
            headers["X-GitHub-Api-Version"] = "2022-11-28"
        case .gitlab:
            headers["PRIVATE-TOKEN"] = credentials.token
        case .jira:
            headers["Authorization"] = "Basic " + Data("\(credentials.user ?? ""):\(credentials.token)".utf8).base64EncodedString()
        case .azure:
            headers["Authorization"] = "Basic " + Data(":\(credentials.token)".utf8).base64EncodedString()
        }
        return headers
    }

    /// What a tracker answered to a creation or a read, as the issue it describes; `requested`
    /// is the id asked for by a read (Jira answers a creation without the status).
    public static func answer(
        status: Int, body: [UInt8], retryAfter: String?, tracker: DeveloperTracker, now: Date
    ) -> Result<IssueUpdate, TrackerFailure> {
        switch status {
        case 200..<300:
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                let issue = issue(in: object, tracker: tracker)
            else {
                return .failure(.init(reason: "the tracker's answer does not describe an issue", retry: false))
            }
            return .success(issue)
        case 429, 502, 503, 504, 500...599:
            return .failure(
                .init(
                    reason: "HTTP \(status)" + OutboundHTTP.message(body).map { ": \($0)" }.orEmpty, retry: true,
                    retryAfter: retryAfter.flatMap { RetryAfter.seconds($0, now: now) }))
        default:
            return .failure(.init(reason: "HTTP \(status)" + OutboundHTTP.message(body).map { ": \($0)" }.orEmpty, retry: false))
        }
    }

    /// The issue an answer (or a webhook's issue object) describes.
    static func issue(in object: [String: Any], tracker: DeveloperTracker) -> IssueUpdate? {
        switch tracker.kind {
        case .github:
            guard let number = integer(object["number"]) else { return nil }
            return IssueUpdate(issueID: String(number), issueKey: "#\(number)", state: GitHubState.of(object), url: object["html_url"] as? String)
        case .gitlab:
            guard let iid = integer(object["iid"]) else { return nil }
            let state = object["state"] as? String ?? "opened"
            return IssueUpdate(
                issueID: String(iid), issueKey: "#\(iid)", state: IssueState(name: state, done: state == "closed"),
                url: (object["web_url"] ?? object["url"]) as? String)
        case .jira:
            guard let id = (object["id"] as? String) ?? integer(object["id"]).map(String.init), let key = object["key"] as? String else { return nil }
            let status = (object["fields"] as? [String: Any])?["status"] as? [String: Any]
            let name = status?["name"] as? String ?? ""
            let done = ((status?["statusCategory"] as? [String: Any])?["key"] as? String) == "done"
            return IssueUpdate(issueID: id, issueKey: key, state: IssueState(name: name, done: done), url: "\(tracker.url)/browse/\(key)")
        case .azure:
            guard let id = integer(object["id"]) else { return nil }
            let state = (object["fields"] as? [String: Any])?["System.State"] as? String ?? ""
            let html = ((object["_links"] as? [String: Any])?["html"] as? [String: Any])?["href"] as? String
            return IssueUpdate(
                issueID: String(id), issueKey: "#\(id)", state: AzureState.of(state),
                url: html ?? "\(tracker.url)/\(OutboundHTTP.segment(tracker.project))/_workitems/edit/\(id)")
        }
    }

    static func integer(_ value: Any?) -> Int? {
        switch value {
        case let number as Int: number
        case let number as NSNumber: number.intValue
        case let text as String: Int(text)
        default: nil
        }
    }

}

/// GitHub's issue state: open, closed, or closed as not planned (which ships nothing).
enum GitHubState {
    static func of(_ issue: [String: Any]) -> IssueState {
        let state = issue["state"] as? String ?? "open"
        if state == "closed", issue["state_reason"] as? String == "not_planned" { return IssueState(name: "not_planned", done: false) }
        return IssueState(name: state, done: state == "closed")
    }
}

/// Azure DevOps work item states the common processes (Basic, Agile, Scrum, CMMI) count as done.
enum AzureState {
    static let done: Set<String> = ["done", "closed", "resolved"]
    static func of(_ state: String) -> IssueState { IssueState(name: state, done: done.contains(state.lowercased())) }
}

extension Optional where Wrapped == String {
    var orEmpty: String { self ?? "" }
}
