/// Why Core refused a ticket operation. The API maps each case to one problem type.
public enum TicketError: Error, Sendable, Equatable {
    /// A value the map does not know: `field` names the input field, `allowed` what the map accepts.
    case unknownValue(field: String, value: String, allowed: [String])
    /// A value the map knows but this family or actor may not use.
    case notAllowed(field: String, value: String, reason: String)
    /// A required input is missing or empty.
    case missingField(field: String, reason: String)
    /// A CRM link the family requires is absent.
    case missingLink(kind: CRMObjectKind, family: String)
    /// The workflow has no move from `from` to `to`.
    case transitionNotAllowed(from: String, to: String, allowed: [String])
}

extension TicketError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .unknownValue(field, value, allowed):
            "\(field): unknown value '\(value)'" + (allowed.isEmpty ? "" : "; expected one of \(allowed.joined(separator: ", "))")
        case let .notAllowed(field, value, reason):
            "\(field): '\(value)' is not allowed: \(reason)"
        case let .missingField(field, reason):
            "\(field): \(reason)"
        case let .missingLink(kind, family):
            "links: family '\(family)' requires a link to a CRM \(kind.rawValue)"
        case let .transitionNotAllowed(from, to, allowed):
            "status: cannot move from '\(from)' to '\(to)'; allowed: "
                + (allowed.isEmpty ? "none" : allowed.joined(separator: ", "))
        }
    }
}
