import Foundation
import RelaisCore
import Yams

extension MapLoader {
    /// `trackers: { app: { kind: github, url: https://api.github.com, project: acme/app, token_env: GITHUB_TOKEN,
    /// secret_env: GITHUB_HOOK_SECRET } }`: developers' trackers tickets may be escalated to. The
    /// map names the environment variables that hold credentials, never the credentials.
    static func readTrackers(_ node: Node?, map: ProcessMap, _ reader: MapReader) -> [String: DeveloperTracker] {
        var trackers: [String: DeveloperTracker] = [:]
        let statuses = Set(map.workflows.values.flatMap { $0.statuses.keys })
        for pair in reader.pairs(node, "trackers") {
            let path = "trackers.\(pair.key)"
            if !isSlug(pair.key) {
                reader.problem(
                    at: pair.keyNode, "trackers: '\(pair.key)' must be lowercase letters, digits and dashes (it is part of its webhook's address)")
            }
            let fields = reader.fields(
                pair.value, path,
                allowed: [
                    "kind", "url", "project", "issue_type", "labels", "token_env", "user_env",
                    "secret_env", "fixed", "on_fixed",
                ])
            let kindName = reader.requiredString(fields, "kind", path, at: pair.value)
            let kind = kindName.flatMap(DeveloperTracker.Kind.init(rawValue:))
            if let kindName, kind == nil {
                reader.problem(
                    at: fields["kind"],
                    "\(path).kind: unknown kind '\(kindName)' (known: \(DeveloperTracker.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let url = reader.requiredString(fields, "url", path, at: pair.value)
            if let url, !isWebAddress(url) {
                reader.problem(at: fields["url"], "\(path).url: '\(url)' is not an http or https address")
            }
            let project = reader.requiredString(fields, "project", path, at: pair.value)
            if let project, kind == .github,
                project.split(separator: "/", omittingEmptySubsequences: false).count != 2 || project.hasPrefix("/") || project.hasSuffix("/")
            {
                reader.problem(at: fields["project"], "\(path).project: a GitHub project is 'owner/repository', not '\(project)'")
            }
            let variables = secretVariables(["token_env", "user_env", "secret_env"], of: fields, path, reader)
            if fields["token_env"] == nil {
                reader.problem(at: pair.value, "\(path): missing 'token_env' (the environment variable holding the API token)")
            }
            if kind == .jira, fields["user_env"] == nil {
                reader.problem(at: pair.value, "\(path): missing 'user_env' (the environment variable holding the Jira account's e-mail)")
            }
            let onFixed = fields["on_fixed"].flatMap { reader.string($0, "\(path).on_fixed") }
            if let onFixed, !statuses.contains(onFixed) {
                reader.problem(at: fields["on_fixed"], "\(path).on_fixed: no workflow has status '\(onFixed)'")
            }
            let fixed = fields["fixed"].map { reader.strings($0, "\(path).fixed").map(\.0) }
            if let fixed, fixed.isEmpty { reader.problem(at: fields["fixed"], "\(path).fixed: list at least one state, or leave it out") }
            guard let kind, let url, let project, let token = variables["token_env"] else { continue }
            trackers[pair.key] = DeveloperTracker(
                name: pair.key, kind: kind, url: url.hasSuffix("/") ? String(url.dropLast()) : url, project: project,
                issueType: fields["issue_type"].flatMap { reader.string($0, "\(path).issue_type") } ?? "Bug",
                labels: reader.strings(fields["labels"], "\(path).labels").map(\.0), tokenVariable: token, userVariable: variables["user_env"],
                secretVariable: variables["secret_env"], fixedStates: fixed, onFixed: onFixed)
        }
        return trackers
    }

    static func isSlug(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Prefix of the environment variables a map may name for secrets: a map (which any holder
    /// of the map permissions may propose) must not send `DATABASE_URL` or a cloud key to the
    /// address it names.
    static let secretPrefix = SecretVariable.prefix

    /// The names of the variables holding secrets that `keys` of `fields` give, each checked;
    /// a name that may not be read is a problem at its line and is left out.
    static func secretVariables(_ keys: [String], of fields: [String: Node], _ path: String, _ reader: MapReader) -> [String: String] {
        var variables: [String: String] = [:]
        for key in keys {
            guard let node = fields[key], let name = reader.string(node, "\(path).\(key)") else { continue }
            if let problem = secretVariableProblem(name) {
                reader.problem(at: node, "\(path).\(key): \(problem)")
            } else {
                variables[key] = name
            }
        }
        return variables
    }

    /// What is wrong with `text` as the name of a variable holding a secret, or nil.
    static func secretVariableProblem(_ text: String) -> String? {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first),
            text.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
        else {
            return "'\(text)' is not an environment variable name (letters, digits and '_', not starting with a digit)"
        }
        guard text.hasPrefix(secretPrefix), text.count > secretPrefix.count else {
            return "'\(text)' is not a variable Relais may read: secrets come from variables named \(secretPrefix)…"
        }
        return nil
    }

    /// An http or https address without query, fragment or credentials (secrets come from the
    /// environment, never from the map).
    static func isWebAddress(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return components.query == nil && components.fragment == nil && components.user == nil && components.password == nil
    }
}
