import Crypto
import Foundation

/// Keeps secrets Relais must read back in clear (webhook signing secrets: HMAC needs them)
/// encrypted in the database, with AES-256-GCM under a key the operator gives in
/// `RELAIS_SECRET_KEY` (32 random bytes, base64). A copy of the database alone reveals none of
/// them. Written as `v1:` and the base64 of nonce, ciphertext and tag; a value without the prefix
/// is one stored before encryption, read as it is and sealed at the next start with a key.
public struct SecretBox: Sendable {
    public static let variable = "RELAIS_SECRET_KEY"
    static let prefix = "v1:"
    let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    /// The key written as `RELAIS_SECRET_KEY` holds it: base64 of 32 bytes.
    public init(encoded: String) throws {
        guard let data = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw StoreError.invalidConfiguration("\(Self.variable) must be 32 random bytes in base64 (for instance `openssl rand -base64 32`)")
        }
        key = SymmetricKey(data: data)
    }

    /// The box of the key in `environment`, nil when the variable is not set.
    public static func fromEnvironment(_ environment: [String: String]) throws -> SecretBox? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        return try SecretBox(encoded: text)
    }

    /// A new key, as `RELAIS_SECRET_KEY` takes it.
    public static func generateEncoded() -> String { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() } }

    public func seal(_ text: String) throws -> String {
        guard let combined = try AES.GCM.seal(Data(text.utf8), using: key).combined else {
            throw StoreError.invalidConfiguration("could not encrypt a secret")
        }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The clear text of a stored value; nil when it was sealed under another key.
    public func open(_ stored: String) -> String? {
        guard Self.isSealed(stored) else { return stored }
        guard let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
            let box = try? AES.GCM.SealedBox(combined: data),
            let clear = try? AES.GCM.open(box, using: key)
        else { return nil }
        return String(decoding: clear, as: UTF8.self)
    }

    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }
}
