/// Failures of the store that callers handle: the API maps them to problem types.
public enum StoreError: Error, Sendable, Equatable {
    /// The database cannot be reached or opened.
    case unavailable(String)
    /// An update was based on a version that is no longer current (`If-Match`).
    case versionConflict(current: Int)
    /// The key was already used with a different request (`Idempotency-Key`).
    case idempotencyMismatch(key: String)
    /// A row that must be unique already exists.
    case duplicate(field: String, value: String)
    /// A referenced row does not exist in this organisation.
    case notFound(what: String, id: String)
    /// The database URL or path cannot be used.
    case invalidConfiguration(String)
    /// A value the store refuses to keep, with the field it came in.
    case invalidValue(field: String, reason: String)
    /// A row others depend on cannot be removed or changed that way.
    case inUse(what: String, reason: String)
    /// Something the operator must set first (a key in the environment), named.
    case missingSetting(String)
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .unavailable(reason): reason
        case let .versionConflict(current): "the resource changed since it was read; current version is \(current)"
        case let .idempotencyMismatch(key): "Idempotency-Key '\(key)' was already used with a different request"
        case let .duplicate(field, value): "\(field): '\(value)' already exists"
        case let .notFound(what, id): "\(what) '\(id)' does not exist"
        case let .invalidConfiguration(reason): reason
        case let .invalidValue(field, reason): "\(field): \(reason)"
        case let .inUse(what, reason): "\(what) is in use: \(reason)"
        case let .missingSetting(reason): reason
        }
    }
}
