import Foundation
import Hummingbird
import RelaisCore
import RelaisIntegrations
import RelaisStore

/// `POST /hooks/trackers/{name}`: the webhooks of the map's developers' trackers. Outside the
/// bearer-authenticated API: each delivery proves where it comes from as its tracker signs it,
/// and is checked on its raw body before anything reads it. A delivery sent again (same delivery
/// id) is answered 200 and changes nothing.
enum TrackerHookRoute {
    static func register(on router: Hummingbird.Router<RelaisRequestContext>, runtime: MapRuntime) {
        router.post("/hooks/trackers/:name") { request, context -> Response in
            let services = RequestServices.current ?? runtime.current
            let name = context.parameters.get("name") ?? ""
            guard let tracker = services.configuration.map.trackers[name] else {
                throw APIProblem("not-found", .notFound, "the map declares no tracker '\(name)'")
            }
            let body = try await request.body.collect(upTo: services.configuration.maxBodySize)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let delivery: TrackerHooks.Delivery
            do {
                delivery = try TrackerHooks.read(
                    Array(buffer: body), headers: headers, tracker: tracker,
                    secret: tracker.secretVariable.flatMap { SecretVariable.value($0, in: services.configuration.environment) })
            } catch let refusal as TrackerHooks.Refusal {
                switch refusal {
                case let .unauthenticated(detail): throw APIProblem.unauthorized(detail)
                case let .malformed(detail): throw APIProblem.badRequest(detail)
                }
            }
            let outcome = try await services.escalations.receive(
                delivery.update, deliveryID: delivery.id, tracker: tracker,
                organizationID: services.organization.id)
            let answer = Data("{\"outcome\":\"\(outcome.rawValue)\"}".utf8)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
    }
}
