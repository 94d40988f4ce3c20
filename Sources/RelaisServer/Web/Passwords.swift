import HummingbirdBcrypt
import NIOPosix
import RelaisCore

/// Slow hashes of passwords (bcrypt), computed off the request threads so a sign-in does not
/// hold the others up.
public struct Passwords: Sendable {
    /// log2 of bcrypt's rounds: 12 (about a quarter of a second here) in production; tests lower it.
    public let cost: UInt8
    /// A hash to check against when the login is unknown or has no password, so that answering
    /// takes as long as for a real user and does not tell which logins exist.
    let decoy: String

    public init(cost: UInt8 = 12) {
        self.cost = cost
        decoy = Bcrypt.hash(String(UInt64.random(in: .min ... .max)), cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
