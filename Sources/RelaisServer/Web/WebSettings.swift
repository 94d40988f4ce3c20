import RelaisStore

/// How the web workspace signs people in and keeps them signed in.
public struct WebSettings: Sendable {
    /// Idle and absolute lifetimes of a session.
    public var lifetime = WebSessions.Lifetime()
    /// bcrypt's cost for new password hashes.
    public var passwordCost: UInt8 = 12
    /// Marks cookies `Secure` (sent over HTTPS only): on when the public address is https.
    public var secureCookies = false
    /// Failed sign-ins allowed for one login within `loginWindow` before sign-ins of that login
    /// are refused with 429 until the oldest failure ages out.
    public var loginAttempts = 5
    public var loginWindow: Double = 15 * 60

    public init() {}
}
