import Foundation
import Hummingbird
import RelaisCore
import RelaisStore

/// Administration: the map (read it, check a new text, propose it), users and their passwords
/// and API tokens, webhook endpoints and their deliveries. Holders of `users.manage` only.
extension WebSite {
    func requireAdmin(_ visit: WebVisit) throws -> Principal {
        try visit.require(.administration)
    }

    func adminPage(_ request: Request) async -> Response {
        await page(request) { visit in
            _ = try requireAdmin(visit)
            return render("pages/admin", ["title": visit.words["nav_admin"] ?? ""], visit)
        }
    }

    func adminMapPage(_ request: Request) async -> Response {
        await page(request) { visit in
            let user = try requireAdmin(visit)
            return try await renderMap(
                visit, user: user, text: nil, problems: nil, notice: request.uri.queryParameters["done"].flatMap { visit.words["done_" + String($0)] }
            )
        }
    }

    func renderMap(
        _ visit: WebVisit, user: Principal, text: String?, problems: [[String: Any]]?, notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let services = visit.services
        let versions = try await services.versions.list(organizationID: services.organization.id, limit: 10)
        return render(
            "pages/admin-map",
            [
                "title": visit.words["admin_map"] ?? "",
                "running": ["number": services.mapVersion.number, "message": services.mapVersion.message, "text": services.mapVersion.text],
                "versions": versions.map {
                    ["number": $0.number, "state": $0.state.rawValue, "message": $0.message, "author": $0.author] as [String: Any]
                },
                "candidate": text as Any,
                "problems": problems as Any,
                "valid": problems?.isEmpty == true,
                "notice": notice as Any,
            ], visit, status: status)
    }

    /// Checks a map text without storing it: problems by line and column, with the line itself.
    func checkMap(_ request: Request) async -> Response {
        await submit(request) { visit, form in
            let user = try requireAdmin(visit)
            let text = form.raw("map") ?? ""
            let problems = Self.problems(in: text, visit: visit)
            return try await renderMap(visit, user: user, text: text, problems: problems, status: problems.isEmpty ? .ok : .unprocessableContent)
        }
    }

    /// Proposes a checked map text as a new version; the map's governance decides who approves.
    func proposeMap(_ request: Request) async -> Response {
        await submit(
            request,
            { visit, form in
                let user = try requireAdmin(visit)
                let text = form.raw("map") ?? ""
                guard Self.problems(in: text, visit: visit).isEmpty else {
                    throw StoreError.invalidValue(field: "map", reason: "the map has problems; check it first")
                }
                let message = form["message"] ?? "Proposed from the web workspace"
                _ = try await visit.services.versions.propose(
                    organizationID: visit.services.organization.id, text: text, message: message, by: MapActor(user))
                return Self.seeOther("/admin/map?done=proposed")
            },
            failed: { visit, form, problem, status in
                try await renderMap(
                    visit, user: try requireAdmin(visit), text: form.raw("map"), problems: [["line": 1, "column": 1, "message": problem]],
                    status: status)
            })
    }

    static func problems(in text: String, visit: WebVisit) -> [[String: Any]] {
        let lines = text.components(separatedBy: "\n")
        switch MapText.reader(
            file: visit.services.configuration.mapFile, allowPrivateEgress: visit.services.configuration.webhooks.allowPrivateTargets)(text, nil)
        {
        case .success: return []
        case let .failure(failure):
            return failure.problems.map { problem in
                [
                    "line": problem.line, "column": problem.column, "message": problem.message,
                    "source": lines.indices.contains(problem.line - 1) ? lines[problem.line - 1] : "",
                ]
            }
        }
    }

    func adminUsersPage(_ request: Request) async -> Response {
        await page(request) { visit in
            try await renderUsers(
                visit, user: try requireAdmin(visit), notice: request.uri.queryParameters["done"].flatMap { visit.words["done_" + String($0)] })
        }
    }

    func renderUsers(
        _ visit: WebVisit, user: Principal, notice: String? = nil, problem: String? = nil, secret: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let services = visit.services
        let users = try await UserService(directory: services.directory, map: services.configuration.map).list(by: user)
        let tokens = try await services.directory.tokens(organizationID: services.organization.id)
        let format = WebFormat(visit)
        return render(
            "pages/admin-users",
            [
                "title": visit.words["admin_users"] ?? "",
                "users": users.map {
                    ["name": $0.user.name, "role": $0.user.roleName, "email": $0.email ?? "", "teams": $0.user.teams.joined(separator: ", ")]
                },
                "roles": services.configuration.map.roleNames.map { ["name": $0] },
                "tokens": tokens.map {
                    [
                        "id": $0.id.text, "user": $0.user, "label": $0.label ?? "", "created": format.instant($0.createdAt),
                        "revoked": $0.revokedAt.map(format.instant) ?? "",
                    ]
                },
                "notice": notice as Any, "problem": problem as Any, "secret": secret as Any,
            ], visit, status: status)
    }

    /// The forms of the users page: add a user, set a password, make or revoke an API token.
    func adminUsersAction(_ request: Request, action: String) async -> Response {
        await submit(
            request,
            { visit, form in
                let admin = try requireAdmin(visit)
                let services = visit.services
                let users = UserService(directory: services.directory, map: services.configuration.map)
                switch action {
                case "add":
                    let teams = (form["teams"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    _ = try await users.create(name: form["name"] ?? "", email: form["email"], role: form["role"] ?? "agent", teams: teams, by: admin)
                    return Self.seeOther("/admin/users?done=user_added")
                case "password":
                    let name = form["name"] ?? "", password = form.raw("password") ?? ""
                    if let problem = PasswordPolicy.problem(with: password, login: name) {
                        throw StoreError.invalidValue(field: "password", reason: problem)
                    }
                    try await users.setPassword(name: name, hash: try await passwords.hash(password), by: admin, at: now())
                    return Self.seeOther("/admin/users?done=password_set")
                case "token":
                    let token = try await users.createToken(name: form["name"] ?? "", label: form["label"], by: admin)
                    // Shown once, on this answer only: it is not kept anywhere it could be read again.
                    return try await renderUsers(visit, user: admin, notice: visit.words["done_token_made"], secret: token)
                case "revoke":
                    guard let id = form["id"].flatMap(UUID.init(uuidString:)),
                        try await services.directory.revokeToken(id, organizationID: services.organization.id, by: admin)
                    else {
                        throw StoreError.notFound(what: "token", id: form["id"] ?? "")
                    }
                    services.tokens.forgetAll()
                    return Self.seeOther("/admin/users?done=token_revoked")
                default:
                    throw StoreError.notFound(what: "form", id: action)
                }
            },
            failed: { visit, _, problem, status in
                try await renderUsers(visit, user: try requireAdmin(visit), problem: problem, status: status)
            })
    }

    func adminWebhooksPage(_ request: Request) async -> Response {
        await page(request) { visit in
            let user = try requireAdmin(visit)
            let webhooks = visit.services.webhooks
            let format = WebFormat(visit)
            var endpoints: [[String: Any]] = []
            for endpoint in try await webhooks.endpoints(by: user) {
                let deliveries = try await webhooks.deliveries(of: endpoint.id, status: nil, limit: 10, before: nil, by: user)
                endpoints.append([
                    "id": endpoint.id.text, "url": endpoint.url, "description": endpoint.description ?? "", "active": endpoint.active,
                    "types": endpoint.eventTypes.joined(separator: ", "), "disabled": endpoint.disabledReason ?? "",
                    "deliveries": deliveries.map { delivery -> [String: Any] in
                        [
                            "id": delivery.id.text, "type": delivery.type, "subject": delivery.subject, "status": delivery.status.rawValue,
                            "attempts": delivery.attempts, "code": delivery.lastStatusCode.map(String.init) ?? "", "error": delivery.lastError ?? "",
                            "at": format.instant(delivery.createdAt), "dead": delivery.status == .dead,
                        ]
                    },
                ])
            }
            return render(
                "pages/admin-webhooks",
                [
                    "title": visit.words["admin_webhooks"] ?? "", "endpoints": endpoints, "empty": endpoints.isEmpty,
                    "notice": request.uri.queryParameters["done"].flatMap { visit.words["done_" + String($0)] } as Any,
                ], visit)
        }
    }

    func replayDelivery(_ request: Request, id: String) async -> Response {
        await submit(request) { visit, _ in
            let user = try requireAdmin(visit)
            guard let id = UUID(uuidString: id) else { throw StoreError.notFound(what: "delivery", id: id) }
            _ = try await visit.services.webhooks.replay(id, by: user)
            return Self.seeOther("/admin/webhooks?done=replayed")
        }
    }
}
