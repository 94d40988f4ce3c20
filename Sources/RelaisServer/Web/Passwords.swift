import HummingbirdBcrypt
import NIOPosix
import RelaisCore
import RelaisStore
import Synchronization

/// Slow hashes of passwords (bcrypt), computed off the request threads so a sign-in does not
/// hold the others up.
public final class Passwords: Sendable {
    /// log2 of bcrypt's rounds: 12 (about a quarter of a second here) in production; tests lower it.
    public let cost: UInt8
    /// A hash to check against when the login is unknown or has no password, so that answering
    /// takes as long as for a real user and does not tell which logins exist.
    /// Made on first need, since most processes never see a sign-in fail.
    private let decoyHash = Mutex<String?>(nil)

    public init(cost: UInt8 = 12) { self.cost = cost }

    var decoy: String {
        get async throws {
            if let made = decoyHash.withLock({ $0 }) { return made }
            let made = try await hash(DirectoryRepository.newSecret())
            decoyHash.withLock { $0 = $0 ?? made }
            return made
        }
    }

    public func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
