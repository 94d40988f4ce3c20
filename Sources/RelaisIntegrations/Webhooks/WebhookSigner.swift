import Crypto
import Foundation
import RelaisCore
import RelaisStore

/// Signs webhook bodies the Standard Webhooks way: HMAC-SHA256, keyed by the secret's bytes, over
/// `{webhook-id}.{webhook-timestamp}.{body}`, written `v1,<base64>`; one signature per secret,
/// separated by spaces, while a rotation keeps two secrets valid.
public enum WebhookSigner {
    public static func signature(id: String, timestamp: Int, body: some Collection<UInt8>, secrets: [String]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        return secrets.compactMap { secret -> String? in
            guard let key = WebhookSecret.key(secret) else { return nil }
            let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
            return "v1," + Data(code).base64EncodedString()
        }.joined(separator: " ")
    }

    /// Whether `header` holds a valid signature of the message under `secret`: what a receiver
    /// checks, compared in constant time.
    public static func verify(header: String, id: String, timestamp: Int, body: some Collection<UInt8>, secret: String) -> Bool {
        guard let key = WebhookSecret.key(secret) else { return false }
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        for candidate in header.split(separator: " ") where candidate.hasPrefix("v1,") {
            guard let given = Data(base64Encoded: String(candidate.dropFirst(3))) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message, using: SymmetricKey(data: key)) { return true }
        }
        return false
    }
}
