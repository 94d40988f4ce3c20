/// The environment variables Relais reads secrets from on a map's behalf (trackers', peer tools'
/// and CRMs' tokens, webhook secrets of trackers): only those named `RELAIS_…`, so a map cannot
/// have the process send `DATABASE_URL`, a cloud key or anything else of its environment to the
/// address it names. The map loader refuses other names; this is the same rule where they are
/// read.
public enum SecretVariable {
    public static let prefix = "RELAIS_"

    /// The value of `name` in `environment`, when the name may be read and the value is not empty.
    public static func value(_ name: String, in environment: [String: String]) -> String? {
        guard name.hasPrefix(prefix), name.count > prefix.count, let value = environment[name], !value.isEmpty else { return nil }
        return value
    }
}
