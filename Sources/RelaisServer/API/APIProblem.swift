import Foundation
import HTTPTypes
import RelaisCore
import RelaisMining
import RelaisStore

/// An RFC 9457 problem: what the API answers whenever it refuses or fails a request.
struct APIProblem: Error, Sendable, Encodable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var field: String?
    var allowed: [String]?
    /// Permissions the caller lacks, on a 403 about them.
    var permissions: [String]?
    /// Every problem of a map text that does not validate.
    var errors: [MapVersion.Problem]?
    /// The map version a refusal stored.
    var version: Int?

    init(_ slug: String, _ status: HTTPResponse.Status, _ detail: String, field: String? = nil, allowed: [String]? = nil) {
        self.type = "urn:relais:problem:\(slug)"
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.field = field
        self.allowed = allowed
    }

    static func unauthorized(_ detail: String) -> APIProblem { APIProblem("unauthorized", .unauthorized, detail) }
    static func tooLarge(_ limit: Int) -> APIProblem {
        APIProblem("body-too-large", .contentTooLarge, "the request body is larger than \(limit) bytes")
    }
    static func badRequest(_ detail: String, field: String? = nil) -> APIProblem {
        APIProblem("bad-request", .badRequest, detail, field: field)
    }
    static func invalidField(_ field: String, _ detail: String) -> APIProblem {
        APIProblem("invalid-field", .unprocessableContent, detail, field: field)
    }
    static let internalError = APIProblem("internal", .internalServerError, "Relais could not complete the request; the error is logged")
}

extension APIProblem {
    /// The one place where errors of every layer become problems.
    init(_ error: any Error) {
        switch error {
        case let problem as APIProblem:
            self = problem
        case let error as TicketError:
            self = Self.problem(for: error)
        case let error as StoreError:
            self = Self.problem(for: error)
        case let AccessError.forbidden(reason):
            self = APIProblem("forbidden", .forbidden, reason)
        case let error as MapChangeError:
            self = Self.problem(for: error)
        case let error as DecodingError:
            self = Self.problem(for: error)
        case let error as EventLogError:
            // Logs given over the API, or options and filters on Relais's own: the request is at fault.
            switch error {
            case .invalidOption(let name, _): self = .invalidField(name, error.description)
            case .badFilter: self = .invalidField("where", "where: \(error)")
            case .badTimestampPattern: self = .invalidField("timestamp_format", "timestamp_format: \(error)")
            default: self = APIProblem("invalid-event-log", .unprocessableContent, error.description)
            }
        default:
            self = .internalError
        }
    }

    static func problem(for error: TicketError) -> APIProblem {
        let detail = error.description
        switch error {
        case let .unknownValue(field, _, allowed):
            return APIProblem("unknown-value", .unprocessableContent, detail, field: field, allowed: allowed)
        case let .notAllowed(field, _, _):
            return APIProblem("not-allowed", .unprocessableContent, detail, field: field)
        case let .missingField(field, _):
            return APIProblem("missing-field", .unprocessableContent, detail, field: field)
        case .missingLink:
            return APIProblem("missing-link", .unprocessableContent, detail, field: "links")
        case let .transitionNotAllowed(_, _, allowed):
            return APIProblem("transition-not-allowed", .conflict, detail, field: "to", allowed: allowed)
        }
    }

    static func problem(for error: StoreError) -> APIProblem {
        switch error {
        case .versionConflict:
            return APIProblem("precondition-failed", .preconditionFailed, error.description, field: "If-Match")
        case let .idempotencyMismatch(key):
            return APIProblem("idempotency-key-reused", .unprocessableContent, error.description, field: "Idempotency-Key \(key)")
        case let .duplicate(field, _):
            return APIProblem("duplicate", .conflict, error.description, field: field)
        case .notFound:
            return APIProblem("not-found", .notFound, error.description)
        case .unavailable:
            return APIProblem("unavailable", .serviceUnavailable, "the database is not available")
        case let .invalidValue(field, _):
            return APIProblem("invalid-field", .unprocessableContent, error.description, field: field)
        case .inUse:
            return APIProblem("in-use", .conflict, error.description)
        case .invalidConfiguration:
            return .internalError
        case .missingSetting:
            return APIProblem("not-configured", .serviceUnavailable, error.description)
        }
    }

    static func problem(for error: MapChangeError) -> APIProblem {
        let detail = error.description
        switch error {
        case let .forbidden(permissions):
            var problem = APIProblem("forbidden", .forbidden, detail)
            problem.permissions = permissions
            return problem
        case .ownProposal:
            return APIProblem("own-proposal", .forbidden, detail)
        case let .invalid(version, problems):
            var problem = APIProblem("invalid-map", .unprocessableContent, detail, field: "text")
            problem.errors = problems
            problem.version = version
            return problem
        case .wouldBreak:
            return APIProblem("map-would-break-tickets", .unprocessableContent, detail, field: "moves")
        case .stale:
            return APIProblem("stale-map-version", .conflict, detail)
        case .wrongState:
            return APIProblem("map-version-state", .conflict, detail)
        case .unchanged:
            return APIProblem("map-unchanged", .unprocessableContent, detail, field: "text")
        }
    }

    /// Malformed JSON is a 400; JSON of the wrong shape names the field at fault with a 422.
    static func problem(for error: DecodingError) -> APIProblem {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case let .keyNotFound(key, context):
            let field = path(context, key)
            return invalidField(field, "\(field): required field is missing")
        case let .typeMismatch(type, context):
            let field = path(context)
            return invalidField(field, "\(field): expected \(describe(type))")
        case let .valueNotFound(type, context):
            let field = path(context)
            return invalidField(field, "\(field): expected \(describe(type)), found null")
        case let .dataCorrupted(context):
            let field = path(context)
            if field.isEmpty { return badRequest("the body is not valid JSON") }
            return invalidField(field, "\(field): \(context.debugDescription)")
        @unknown default:
            return badRequest("the body could not be read")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        let name = String(describing: type)
        switch name {
        case _ where name.contains("String"): return "a string"
        case _ where name.contains("Int"), _ where name.contains("Double"): return "a number"
        case _ where name.contains("Bool"): return "true or false"
        case _ where name.contains("Array"): return "an array"
        case _ where name.contains("Dictionary"): return "an object"
        default: return "a value of another type"
        }
    }
}
