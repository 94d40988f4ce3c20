import Foundation

/// Hands finished cases from the reader to whatever counts them, on a second thread when asked:
/// reading a large log and counting its cases then take one core each. Cases go over in batches
/// through a short queue, so memory holds a few hundred cases at most, and they are counted in the
/// order they were read.
final class TraceHandoff: @unchecked Sendable {
    private static let batchSize = 512, queueLength = 4

    private let consume: (Trace) -> Void
    private let condition = NSCondition()
    private var queue: [[Trace]] = []
    private var closed = false
    private var batch: [Trace] = []
    private let finished = DispatchSemaphore(value: 0)
    private let concurrent: Bool

    /// With `concurrent` false, `consume` runs on the caller's thread as each case comes.
    init(concurrent: Bool, consume: @escaping (Trace) -> Void) {
        self.consume = consume
        self.concurrent = concurrent
        guard concurrent else { return }
        batch.reserveCapacity(Self.batchSize)
        let thread = Thread { [self] in
            while let next = take() {
                for trace in next { self.consume(trace) }
            }
            finished.signal()
        }
        thread.name = "relais.mining"
        thread.start()
    }

    func send(_ trace: Trace) {
        guard concurrent else { return consume(trace) }
        batch.append(trace)
        if batch.count == Self.batchSize { flush() }
    }

    /// Waits until every case sent has been counted.
    func finish() {
        guard concurrent else { return }
        if !batch.isEmpty { flush() }
        close()
    }

    /// Stops the counting thread without waiting for the cases not yet counted (the reading failed).
    func cancel() {
        guard concurrent else { return }
        condition.lock()
        queue.removeAll()
        condition.unlock()
        batch.removeAll()
        close()
    }

    private func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
    }

    private func flush() {
        condition.lock()
        while queue.count >= Self.queueLength { condition.wait() }
        queue.append(batch)
        condition.broadcast()
        condition.unlock()
        batch = []
        batch.reserveCapacity(Self.batchSize)
    }

    private func take() -> [Trace]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closed { condition.wait() }
        guard !queue.isEmpty else { return nil }
        let next = queue.removeFirst()
        condition.broadcast()
        return next
    }
}
