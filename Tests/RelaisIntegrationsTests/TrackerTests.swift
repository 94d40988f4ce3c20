import Crypto
import Foundation
import HTTPTypes
import RelaisCore
import RelaisIntegrations
import RelaisStore
import RelaisTestSupport
import Testing

/// Trackers as the map declares them, pointed at `url`.
func trackers(at url: String) -> [String: DeveloperTracker] {
    [
        "product": DeveloperTracker(
            name: "product", kind: .github, url: url, project: "acme/acme-app", labels: ["from-support"],
            tokenVariable: "RELAIS_GH_TOKEN", secretVariable: "RELAIS_GH_SECRET", onFixed: "resolved"),
        "api": DeveloperTracker(
            name: "api", kind: .gitlab, url: url, project: "platform/api", tokenVariable: "RELAIS_GL_TOKEN", secretVariable: "RELAIS_GL_SECRET"),
        "platform": DeveloperTracker(
            name: "platform", kind: .jira, url: url, project: "PLAT", tokenVariable: "RELAIS_JIRA_TOKEN", userVariable: "RELAIS_JIRA_USER",
            secretVariable: "RELAIS_JIRA_SECRET"),
        "boards": DeveloperTracker(
            name: "boards", kind: .azure, url: url, project: "Fabrikam-Fiber-Git", labels: ["support", "p1"],
            tokenVariable: "RELAIS_ADO_TOKEN", secretVariable: "RELAIS_ADO_SECRET"),
    ]
}

let trackerEnvironment = [
    "RELAIS_GH_TOKEN": "ghp_test", "RELAIS_GL_TOKEN": "glpat-test", "RELAIS_JIRA_TOKEN": "atl-test", "RELAIS_JIRA_USER": "relais@acme.example",
    "RELAIS_ADO_TOKEN": "ado-pat", "RELAIS_GH_SECRET": "gh-secret", "RELAIS_GL_SECRET": "gl-secret", "RELAIS_JIRA_SECRET": "jira-secret",
    "RELAIS_ADO_SECRET": "ado-secret",
]

@Suite struct TrackerAPITests {
    let issue = DeveloperIssue(
        title: "[INC-3] Login fails", body: "## Description\n\nIt fails.\n\n| Account | Tier |\n| --- | --- |\n| Helix | strategic |",
        labels: ["from-support"])

    func tracker(_ kind: DeveloperTracker.Kind) -> DeveloperTracker {
        trackers(at: "https://tracker.example").values.first { $0.kind == kind }!
    }

    func credentials(_ tracker: DeveloperTracker) throws -> TrackerAPI.Credentials {
        try TrackerAPI.Credentials.of(tracker, in: trackerEnvironment).get()
    }

    @Test func githubIssueIsPostedToTheRepositoryWithABearerToken() throws {
        let tracker = tracker(.github)
        let request = TrackerAPI.create(issue, in: tracker, credentials: try credentials(tracker))
        #expect(request.method == "POST" && request.url == "https://tracker.example/repos/acme/acme-app/issues")
        #expect(request.headers["Authorization"] == "Bearer ghp_test" && request.headers["Accept"] == "application/vnd.github+json")
        #expect(request.headers["X-GitHub-Api-Version"] == "2022-11-28")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body ?? [])) as? [String: Any])
        #expect(body["title"] as? String == issue.title && body["body"] as? String == issue.body && body["labels"] as? [String] == ["from-support"])
    }

    @Test func gitlabIssueGoesToTheEncodedProjectPathWithAPrivateToken() throws {
        let tracker = tracker(.gitlab)
        let request = TrackerAPI.create(issue, in: tracker, credentials: try credentials(tracker))
        #expect(request.url == "https://tracker.example/api/v4/projects/platform%2Fapi/issues")
        #expect(request.headers["PRIVATE-TOKEN"] == "glpat-test" && request.headers["Authorization"] == nil)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body ?? [])) as? [String: Any])
        #expect(body["description"] as? String == issue.body && body["labels"] as? String == "from-support")
        let read = TrackerAPI.read(issue: "14", in: tracker, credentials: try credentials(tracker))
        #expect(read.method == "GET" && read.url == "https://tracker.example/api/v4/projects/platform%2Fapi/issues/14" && read.body == nil)
    }

    @Test func jiraIssueCarriesAnAtlassianDocumentAndBasicAuthentication() throws {
        let tracker = tracker(.jira)
        let request = TrackerAPI.create(issue, in: tracker, credentials: try credentials(tracker))
        #expect(request.url == "https://tracker.example/rest/api/3/issue")
        #expect(request.headers["Authorization"] == "Basic " + Data("relais@acme.example:atl-test".utf8).base64EncodedString())
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body ?? [])) as? [String: Any])
        let fields = try #require(body["fields"] as? [String: Any])
        #expect((fields["project"] as? [String: Any])?["key"] as? String == "PLAT")
        #expect((fields["issuetype"] as? [String: Any])?["name"] as? String == "Bug" && fields["summary"] as? String == issue.title)
        let document = try #require(fields["description"] as? [String: Any])
        #expect(document["type"] as? String == "doc" && document["version"] as? Int == 1)
        let types = (document["content"] as? [[String: Any]] ?? []).map { $0["type"] as? String ?? "" }
        #expect(types == ["heading", "paragraph", "table"])
        // The document reads back as the text it was made from.
        let text = DocumentFormat.text(document)
        #expect(text.contains("Description") && text.contains("It fails.") && text.contains("Helix") && text.contains("strategic"))
        #expect(
            TrackerAPI.read(issue: "10042", in: tracker, credentials: try credentials(tracker)).url
                == "https://tracker.example/rest/api/3/issue/10042?fields=status")
    }

    @Test func azureWorkItemIsAJSONPatchWithEscapedHTML() throws {
        let tracker = tracker(.azure)
        var hostile = issue
        hostile.body = "## Description\n\n<script>alert(1)</script> & more"
        let request = TrackerAPI.create(hostile, in: tracker, credentials: try credentials(tracker))
        #expect(request.url == "https://tracker.example/Fabrikam-Fiber-Git/_apis/wit/workitems/$Bug?api-version=7.1")
        #expect(request.headers["Content-Type"] == "application/json-patch+json")
        #expect(request.headers["Authorization"] == "Basic " + Data(":ado-pat".utf8).base64EncodedString())
        let operations = try #require(try JSONSerialization.jsonObject(with: Data(request.body ?? [])) as? [[String: Any]])
        let byPath = Dictionary(uniqueKeysWithValues: operations.map { ($0["path"] as? String ?? "", $0["value"] as? String ?? "") })
        #expect(operations.allSatisfy { $0["op"] as? String == "add" })
        #expect(byPath["/fields/System.Title"] == issue.title && byPath["/fields/System.Tags"] == "from-support")
        let html = try #require(byPath["/fields/System.Description"])
        #expect(html == "<h2>Description</h2>\n<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>")
        #expect(byPath["/fields/Microsoft.VSTS.TCM.ReproSteps"] == html)
    }

    @Test func missingCredentialsNameTheVariable() {
        var tracker = tracker(.jira)
        tracker.userVariable = "JIRA_ACCOUNT"
        guard case let .failure(failure) = TrackerAPI.Credentials.of(tracker, in: trackerEnvironment) else {
            Issue.record("credentials found")
            return
        }
        #expect(failure.reason.contains("JIRA_ACCOUNT") && failure.retry)
        guard case .failure = TrackerAPI.Credentials.of(tracker, in: [:]) else {
            Issue.record("credentials found")
            return
        }
    }

    @Test func answersOfTheVendorsExamplesReadAsIssues() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func read(_ kind: DeveloperTracker.Kind, _ fixture: String, status: Int = 201) throws -> IssueUpdate {
            try TrackerAPI.answer(status: status, body: try APIStub.fixture(fixture), retryAfter: nil, tracker: tracker(kind), now: now).get()
        }
        #expect(
            try read(.github, "github-issue.json")
                == IssueUpdate(
                    issueID: "1347", issueKey: "#1347", state: IssueState(name: "open", done: false),
                    url: "https://github.com/acme/acme-app/issues/1347"))
        #expect(
            try read(.gitlab, "gitlab-issue.json")
                == IssueUpdate(
                    issueID: "14", issueKey: "#14", state: IssueState(name: "opened", done: false),
                    url: "https://gitlab.acme.example/platform/api/-/issues/14"))
        #expect(
            try read(.jira, "jira-created.json")
                == IssueUpdate(
                    issueID: "10042", issueKey: "PLAT-77", state: IssueState(name: "", done: false),
                    url: "https://tracker.example/browse/PLAT-77"))
        #expect(try read(.jira, "jira-issue.json", status: 200).state == IssueState(name: "In Progress", done: false))
        #expect(
            try read(.azure, "azure-workitem.json", status: 200)
                == IssueUpdate(
                    issueID: "131", issueKey: "#131", state: IssueState(name: "New", done: false),
                    url: "https://dev.azure.com/fabrikam/Fabrikam-Fiber-Git/_workitems/edit/131"))
    }

    @Test func refusalsAndRateLimitsAreToldApart() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let github = tracker(.github)
        let invalid = Array(#"{"message":"Validation Failed","errors":[{"resource":"Issue","code":"missing_field","field":"title"}]}"#.utf8)
        guard case let .failure(refused) = TrackerAPI.answer(status: 422, body: invalid, retryAfter: nil, tracker: github, now: now) else {
            Issue.record("422 read as a success")
            return
        }
        #expect(!refused.retry && refused.reason == "HTTP 422: Validation Failed")
        guard case let .failure(limited) = TrackerAPI.answer(status: 429, body: [], retryAfter: "30", tracker: github, now: now),
            case let .failure(down) = TrackerAPI.answer(status: 502, body: [], retryAfter: nil, tracker: github, now: now)
        else {
            Issue.record("read as a success")
            return
        }
        #expect(limited.retry && limited.retryAfter == 30 && down.retry && down.retryAfter == nil)
        let jira = Array(#"{"errorMessages":[],"errors":{"summary":"You must specify a summary of the issue."}}"#.utf8)
        guard case let .failure(jiraRefusal) = TrackerAPI.answer(status: 400, body: jira, retryAfter: nil, tracker: tracker(.jira), now: now) else {
            Issue.record("400 read as a success")
            return
        }
        #expect(jiraRefusal.reason == "HTTP 400: summary: You must specify a summary of the issue." && !jiraRefusal.retry)
        guard case let .failure(unreadable) = TrackerAPI.answer(status: 201, body: Array("<html>".utf8), retryAfter: nil, tracker: github, now: now)
        else {
            Issue.record("HTML read as an issue")
            return
        }
        #expect(!unreadable.retry)
    }
}

@Suite struct TrackerHookTests {
    let trackers = RelaisIntegrationsTests.trackers(at: "https://tracker.example")

    func signature(_ body: [UInt8], _ secret: String) -> String {
        "sha256="
            + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    func refusal(_ body: [UInt8], _ headers: [String: String], _ tracker: String, secret: String?) -> TrackerHooks.Refusal? {
        do {
            _ = try TrackerHooks.read(body, headers: headers, tracker: trackers[tracker]!, secret: secret)
            return nil
        } catch let refusal as TrackerHooks.Refusal {
            return refusal
        } catch {
            return .malformed("\(error)")
        }
    }

    @Test func githubDeliveryIsCheckedOnItsSignatureAndReadAsTheIssue() throws {
        let body = try APIStub.fixture("github-issues-closed.json")
        let headers = [
            "X-GitHub-Event": "issues", "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
            "X-Hub-Signature-256": signature(body, "gh-secret"),
        ]
        let delivery = try TrackerHooks.read(body, headers: headers, tracker: trackers["product"]!, secret: "gh-secret")
        #expect(delivery.id == "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        #expect(
            delivery.update
                == IssueUpdate(
                    issueID: "1347", issueKey: "#1347", state: IssueState(name: "closed", done: true),
                    url: "https://github.com/acme/acme-app/issues/1347"))
        // Header names in any case, as proxies pass them.
        let lower = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) })
        #expect(try TrackerHooks.read(body, headers: lower, tracker: trackers["product"]!, secret: "gh-secret") == delivery)
        // Not planned ships nothing.
        let notPlanned = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\"completed\"", with: "\"not_planned\"").utf8)
        let skipped = try TrackerHooks.read(
            notPlanned, headers: headers.merging(["X-Hub-Signature-256": signature(notPlanned, "gh-secret")]) { $1 },
            tracker: trackers["product"]!, secret: "gh-secret")
        #expect(skipped.update?.state == IssueState(name: "not_planned", done: false))
    }

    @Test func forgedOrUnsignedDeliveriesAreRefused() throws {
        let body = try APIStub.fixture("github-issues-closed.json")
        let good = ["X-GitHub-Event": "issues", "X-GitHub-Delivery": "d1", "X-Hub-Signature-256": signature(body, "gh-secret")]
        #expect(refusal(body, good, "product", secret: "gh-secret") == nil)
        guard case .unauthenticated = refusal(body, good, "product", secret: "another-secret") else {
            Issue.record("wrong secret accepted")
            return
        }
        var tampered = body
        tampered[tampered.count / 2] ^= 1
        guard case .unauthenticated = refusal(tampered, good, "product", secret: "gh-secret") else {
            Issue.record("changed body accepted")
            return
        }
        guard case .unauthenticated = refusal(body, good.filter { $0.key != "X-Hub-Signature-256" }, "product", secret: "gh-secret") else {
            Issue.record("unsigned delivery accepted")
            return
        }
        guard case .unauthenticated = refusal(body, good.merging(["X-Hub-Signature-256": "sha1=abc"]) { $1 }, "product", secret: "gh-secret") else {
            Issue.record("other algorithm accepted")
            return
        }
        guard case .unauthenticated = refusal(body, good, "product", secret: nil) else {
            Issue.record("accepted without a secret configured")
            return
        }
        guard case .malformed = refusal(body, good.filter { $0.key != "X-GitHub-Delivery" }, "product", secret: "gh-secret") else {
            Issue.record("delivery without id accepted")
            return
        }
        let notJSON = Array("not json".utf8)
        guard
            case .malformed = refusal(
                notJSON, good.merging(["X-Hub-Signature-256": signature(notJSON, "gh-secret")]) { $1 }, "product",
                secret: "gh-secret")
        else {
            Issue.record("non-JSON accepted")
            return
        }
    }

    @Test func otherEventsAndOtherProjectsCarryNoUpdate() throws {
        let ping = Array(#"{"zen":"Keep it logically awesome.","hook_id":1}"#.utf8)
        let pinged = try TrackerHooks.read(
            ping, headers: ["X-GitHub-Event": "ping", "X-GitHub-Delivery": "p1", "X-Hub-Signature-256": signature(ping, "s")],
            tracker: trackers["product"]!, secret: "s")
        #expect(pinged == TrackerHooks.Delivery(id: "p1", update: nil))
        let other = Array(
            String(decoding: try APIStub.fixture("github-issues-closed.json"), as: UTF8.self)
                .replacingOccurrences(of: "acme/acme-app", with: "acme/website").utf8)
        let elsewhere = try TrackerHooks.read(
            other,
            headers: [
                "X-GitHub-Event": "issues", "X-GitHub-Delivery": "o1",
                "X-Hub-Signature-256": signature(other, "s"),
            ], tracker: trackers["product"]!, secret: "s")
        #expect(elsewhere.update == nil)
    }

    @Test func gitlabDeliveryIsCheckedOnItsToken() throws {
        let body = try APIStub.fixture("gitlab-issue-hook.json")
        let headers = ["X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": "gl-secret", "X-Gitlab-Event-UUID": "13792a34-cac6-4fda-95a8-c58e00a3954e"]
        let delivery = try TrackerHooks.read(body, headers: headers, tracker: trackers["api"]!, secret: "gl-secret")
        #expect(delivery.id == "13792a34-cac6-4fda-95a8-c58e00a3954e")
        #expect(
            delivery.update
                == IssueUpdate(
                    issueID: "14", issueKey: "#14", state: IssueState(name: "closed", done: true),
                    url: "https://gitlab.acme.example/platform/api/-/issues/14"))
        // Retries carry the same Idempotency-Key, which names the delivery when present.
        #expect(
            try TrackerHooks.read(body, headers: headers.merging(["Idempotency-Key": "k-1"]) { $1 }, tracker: trackers["api"]!, secret: "gl-secret")
                .id == "k-1")
        guard case .unauthenticated = refusal(body, headers.merging(["X-Gitlab-Token": "gl-secre"]) { $1 }, "api", secret: "gl-secret") else {
            Issue.record("wrong token accepted")
            return
        }
    }

    @Test func jiraDeliveryIsCheckedOnItsSignatureAndReadsTheStatusCategory() throws {
        let body = try APIStub.fixture("jira-issue-updated.json")
        let headers = ["X-Atlassian-Webhook-Identifier": "1d9d0c7c-0f7b-4e1b-a1c2-5e4f3c2b1a00", "X-Hub-Signature": signature(body, "jira-secret")]
        let delivery = try TrackerHooks.read(body, headers: headers, tracker: trackers["platform"]!, secret: "jira-secret")
        #expect(
            delivery.update
                == IssueUpdate(
                    issueID: "10042", issueKey: "PLAT-77", state: IssueState(name: "Done", done: true),
                    url: "https://tracker.example/browse/PLAT-77"))
        guard
            case .unauthenticated = refusal(
                body, headers.merging(["X-Hub-Signature": signature(body, "other")]) { $1 }, "platform",
                secret: "jira-secret")
        else {
            Issue.record("wrong signature accepted")
            return
        }
    }

    @Test func azureDeliveryIsCheckedOnItsBasicAuthenticationAndReadsTheRevision() throws {
        let body = try APIStub.fixture("azure-workitem-updated.json")
        let headers = ["Authorization": "Basic " + Data("relais:ado-secret".utf8).base64EncodedString()]
        let delivery = try TrackerHooks.read(body, headers: headers, tracker: trackers["boards"]!, secret: "ado-secret")
        #expect(delivery.id == "27646e0e-b520-4d2b-9411-bba7524947cd")
        #expect(delivery.update?.issueID == "131" && delivery.update?.state == IssueState(name: "Resolved", done: true))
        #expect(delivery.update?.url == "https://tracker.example/Fabrikam-Fiber-Git/_workitems/edit/131")
        guard
            case .unauthenticated = refusal(
                body, ["Authorization": "Basic " + Data("relais:nope".utf8).base64EncodedString()], "boards",
                secret: "ado-secret")
        else {
            Issue.record("wrong password accepted")
            return
        }
        guard case .unauthenticated = refusal(body, [:], "boards", secret: "ado-secret") else {
            Issue.record("no authentication accepted")
            return
        }
    }
}
