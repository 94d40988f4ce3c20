import Foundation
import HTTPTypes
import HummingbirdTesting
import RelaisTestSupport
import Testing

@Suite struct KnowledgeAPITests {
    @Test(arguments: Engine.available)
    func articlesAreWrittenSearchedAndShownSafely(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            let created = try await client.send(
                .post, "/api/v1/kb/articles", token: api.agent,
                body: #"""
                    {"title":"Accès VPN refusé","body":"Réinitialisez le **jeton**.\n\n<script>alert(1)</script> [x](javascript:alert(1))",
                     "language":"fr","audience":"customers","status":"published","category":"access"}
                    """#)
            #expect(created.status == .created, "\(created.text)")
            let article = created.json
            let id = article["id"] as? String ?? ""
            #expect(created.headers[.eTag] == "\"1\"")
            let html = article["html"] as? String ?? ""
            #expect(html.contains("<strong>jeton</strong>"))
            #expect(html.contains("&lt;script&gt;"))
            #expect(!html.contains("javascript:"))

            let english = try await client.send(
                .post, "/api/v1/kb/articles", token: api.agent,
                body: #"""
                    {"title":"VPN access denied","body":"Reset the token.","language":"en","audience":"customers","status":"published","translation_of":"\#(id)"}
                    """#)
            #expect(english.status == .created)
            let shown = try await client.send(.get, "/api/v1/kb/articles/\(id)", token: api.requester).json
            #expect((shown["translations"] as? [[String: Any]])?.compactMap { $0["language"] as? String } == ["en"])

            let search = try await client.send(.get, "/api/v1/kb/search?q=acces%20refuse", token: api.requester)
            #expect(search.status == .ok)
            let hits = search.json["items"] as? [[String: Any]] ?? []
            #expect(hits.compactMap { ($0["article"] as? [String: Any])?["id"] as? String } == [id])
            #expect((hits.first?["excerpt"] as? String)?.hasPrefix("Réinitialisez le jeton") == true)

            let patched = try await client.send(
                .patch, "/api/v1/kb/articles/\(id)", token: api.agent, body: #"{"title":"Accès au VPN refusé","note":"titre"}"#,
                headers: [.ifMatch: "\"1\""])
            #expect(patched.status == .ok)
            #expect(patched.headers[.eTag] == "\"2\"")
            try await client.send(.patch, "/api/v1/kb/articles/\(id)", token: api.agent, body: #"{"title":"Stale"}"#, headers: [.ifMatch: "\"1\""])
                .expectProblem(.preconditionFailed)
            let versions = try await client.send(.get, "/api/v1/kb/articles/\(id)/versions", token: api.agent).json["items"] as? [[String: Any]]
            #expect(versions?.compactMap { $0["version"] as? Int } == [2, 1])

            // Requesters read, never write, and never see drafts or internal articles.
            try await client.send(.post, "/api/v1/kb/articles", token: api.requester, body: #"{"title":"x","body":"y"}"#).expectProblem(.forbidden)
            let draft = try await client.send(.post, "/api/v1/kb/articles", token: api.agent, body: #"{"title":"Brouillon VPN","body":"z"}"#).json
            try await client.send(.get, "/api/v1/kb/articles/\(draft["id"] as? String ?? "")", token: api.requester).expectProblem(.notFound)
            try await client.send(.get, "/api/v1/kb/articles/\(id)", token: api.outsider).expectProblem(.unauthorized)

            // Bad fields are named.
            try await client.send(.post, "/api/v1/kb/articles", token: api.agent, body: #"{"title":"x","body":"y","language":"de"}"#)
                .expectProblem(.unprocessableContent, field: "language")
            try await client.send(.post, "/api/v1/kb/articles", token: api.agent, body: #"{"title":"x","body":"y","category":"astrology"}"#)
                .expectProblem(.unprocessableContent, field: "category")
            try await client.send(.get, "/api/v1/kb/search?q=%20%21%21", token: api.agent).expectProblem(.unprocessableContent, field: "q")
            try await client.send(.get, "/api/v1/kb/suggestions?subject=vpn&family=nope", token: api.agent)
                .expectProblem(.unprocessableContent, field: "family")
        }
    }

    @Test(arguments: Engine.available)
    func ticketsSuggestCapitaliseAndReport(engine: Engine) async throws {
        try await APIHarness.with(engine) { api, client in
            try await client.send(
                .post, "/api/v1/kb/articles", token: api.agent,
                body: #"""
                    {"title":"Printer jams on tray two","body":"Open tray two and remove the paper.","language":"en","audience":"customers","status":"published"}
                    """#)
            // A new ticket comes back with the articles that may answer it.
            let ticket = try await client.send(.post, "/api/v1/tickets", token: api.agent, body: api.incident(title: "Printer jams again"))
            #expect(ticket.status == .created)
            let suggested = ticket.json["suggested_articles"] as? [[String: Any]] ?? []
            #expect(suggested.compactMap { $0["title"] as? String } == ["Printer jams on tray two"])
            let key = ticket.json["key"] as? String ?? ""

            // An open ticket cannot be capitalised; once solved, one call writes the article and ties it.
            try await client.send(.post, "/api/v1/tickets/\(key)/articles", token: api.agent, body: "{}").expectProblem(.unprocessableContent)
            try await client.send(.post, "/api/v1/tickets/\(key)/transitions", token: api.agent, body: #"{"to":"in_progress"}"#)
            let solved = try await client.send(
                .post, "/api/v1/tickets/\(key)/transitions", token: api.agent,
                body: #"{"to":"resolved","resolution_note":"Replaced the pickup roller."}"#)
            #expect(solved.status == .ok, "\(solved.text)")
            let written = try await client.send(.post, "/api/v1/tickets/\(key)/articles", token: api.agent, body: #"{"status":"published"}"#)
            #expect(written.status == .created, "\(written.text)")
            #expect((written.json["body"] as? String)?.contains("Replaced the pickup roller.") == true)
            #expect(written.json["source_ticket"] as? String == key)
            let tied = try await client.send(.get, "/api/v1/tickets/\(key)/articles", token: api.agent).json["items"] as? [[String: Any]]
            #expect(tied?.compactMap { $0["relation"] as? String } == ["written_from"])
            let events = try await client.send(.get, "/api/v1/tickets/\(key)/events", token: api.agent).text
            #expect(events.contains("article_linked"))

            // A requester found an answer instead of opening a ticket; a search found nothing.
            let articleID = suggested.first?["id"] as? String ?? ""
            let deflection = try await client.send(
                .post, "/api/v1/kb/articles/\(articleID)/deflections", token: api.requester,
                body: #"{"family":"incident","query":"printer jam"}"#)
            #expect(deflection.status == .noContent)
            try await client.send(.get, "/api/v1/kb/search?q=quantum", token: api.requester)
            let report = try await client.send(.get, "/api/v1/kb/report", token: api.agent)
            #expect(report.status == .ok)
            #expect(report.json["deflections"] as? Int == 1)
            #expect(report.json["articles_written"] as? Int == 1)
            #expect((report.json["failed_searches"] as? [[String: Any]])?.first?["query"] as? String == "quantum")
            try await client.send(.get, "/api/v1/kb/report", token: api.requester).expectProblem(.forbidden)
        }
    }
}
