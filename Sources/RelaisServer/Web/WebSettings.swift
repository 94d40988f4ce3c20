import RelaisCore
import RelaisStore

/// How the web workspace signs people in and keeps them signed in.
public struct WebSettings: Sendable {
    /// Idle and absolute lifetimes of a session.
    public var lifetime = WebSessions.Lifetime()
    /// bcrypt's cost for new password hashes.
    public var passwordCost: UInt8 = 12
    /// Marks cookies `Secure` (sent by browsers over HTTPS, and to loopback addresses, only): on
    /// unless `relais serve --insecure-cookies` is given for plain http on another address.
    public var secureCookies = true
    /// Failed sign-ins allowed for one login within `loginWindow` before sign-ins of that login
    /// are refused with 429 until the oldest failure ages out.
    public var loginAttempts = 5
    public var loginWindow: Double = 15 * 60
    /// Failed sign-ins allowed from one address within `loginWindow`, whatever the logins tried.
    /// Larger than `loginAttempts`: people behind one company gateway share an address.
    public var addressAttempts = 20
    /// Peers whose `X-Forwarded-For` is believed (the load balancers in front of Relais): the
    /// address a sign-in is counted against is then the one they forwarded.
    public var trustedProxies: Set<String> = []

    public init() {}
}
