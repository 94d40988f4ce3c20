/// What a password must be: long enough to resist guessing, short enough for the hash (bcrypt
/// reads 72 bytes and would silently ignore the rest), and not the login itself. Length matters
/// more than character classes, so none are required.
public enum PasswordPolicy {
    public static let minimumLength = 10
    public static let maximumBytes = 72

    /// Why `password` is refused for `login`, or nil when it is acceptable.
    public static func problem(with password: String, login: String) -> String? {
        if password.count < minimumLength { return "a password has at least \(minimumLength) characters" }
        if password.utf8.count > maximumBytes { return "a password has at most \(maximumBytes) bytes" }
        if password.lowercased() == login.lowercased() { return "a password must not be the login name" }
        if Set(password).count < 3 { return "a password needs more than one or two different characters" }
        return nil
    }
}
