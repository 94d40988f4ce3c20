import Foundation
import Hummingbird

/// The fields of a submitted form (`application/x-www-form-urlencoded`), in order; a field sent
/// several times (a multiple choice) keeps every value.
struct WebForm: Sendable {
    var fields: [(name: String, value: String)]

    init(fields: [(name: String, value: String)]) { self.fields = fields }

    /// Parses a form body; `+` is a space and `%XX` a byte of UTF-8.
    init(encoded body: String) {
        fields = body.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Reads the body of a form post, at most `limit` bytes.
    static func read(_ request: Request, limit: Int = 1 << 20) async throws -> WebForm {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw WebFormError.unsupported("a form is sent as application/x-www-form-urlencoded")
        }
        var body = try await request.body.collect(upTo: limit)
        return WebForm(encoded: body.readString(length: body.readableBytes) ?? "")
    }

    /// The first value of `name`, trimmed; nil when absent or blank.
    subscript(name: String) -> String? {
        guard let value = fields.first(where: { $0.name == name })?.value.trimmingCharacters(in: .whitespacesAndNewlines),
            !value.isEmpty
        else { return nil }
        return value
    }

    /// The value of `name` as typed (not trimmed), for text bodies.
    func raw(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value).filter { !$0.isEmpty } }

    /// `value` escaped for a query string or form.
    static func escape(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// `fields` written as a query string.
    static func query(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }
}

enum WebFormError: Error {
    /// The form was not sent as a form (415).
    case unsupported(String)
    /// The form's token does not match the session's (403): a forged or stale form.
    case forged
}
