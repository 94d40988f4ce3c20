import Foundation
import Logging
import RelaisCore
import RelaisStore
import Synchronization

/// The services of the map version this process runs, swapped whole when another version is
/// applied (here, or by another process on the same database). Readers take a snapshot; nothing
/// is changed in place.
public final class MapRuntime: Sendable {
    private let state = Mutex<RelaisServices?>(nil)
    private let stream: AsyncStream<RelaisServices>
    private let continuation: AsyncStream<RelaisServices>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: RelaisServices.self, bufferingPolicy: .bufferingNewest(1))
    }

    func install(_ services: RelaisServices) { state.withLock { $0 = services } }

    /// The services of the running version.
    public var current: RelaisServices {
        guard let services = state.withLock({ $0 }) else { preconditionFailure("MapRuntime read before RelaisServices.start installed it") }
        return services
    }

    /// Services for each version that starts running after this call, newest only if several came.
    public var changes: AsyncStream<RelaisServices> { stream }

    /// Reads which version the organisation runs and switches to it if it moved; returns the
    /// services now running when they changed.
    @discardableResult
    public func reload() async throws -> RelaisServices? {
        let services = current
        guard let number = try await services.versions.runningNumber(organizationID: services.organization.id),
            number != services.mapVersion.number,
            let running = try await services.versions.running(organizationID: services.organization.id)
        else { return nil }
        let next = services.running(running.version, map: running.map)
        let swapped = state.withLock { (held: inout RelaisServices?) -> Bool in
            // Two reloads may race; the newer version wins (the running number only grows).
            guard let current = held, current.mapVersion.number < next.mapVersion.number else { return false }
            held = next
            return true
        }
        guard swapped else { return nil }
        continuation.yield(next)
        return next
    }

    /// Looks for a new version every `interval` until cancelled.
    public func follow(every interval: Duration = .seconds(2), logger: Logger) async {
        while !Task.isCancelled {
            do {
                if let next = try await reload() { logger.notice("map: now running version \(next.mapVersion.number) (\(next.mapVersion.message))") }
            } catch {
                logger.warning("map: could not read the running version: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }
}
