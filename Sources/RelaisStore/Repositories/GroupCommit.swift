/// Group commit: items submitted while a batch is being written wait, and go together into the
/// next batch, so under load a few statements serve many items; alone, an item is written at
/// once. `write` gets a batch and returns each item's outcome, in order; the callers of one queue
/// pass the same writer (the one of the submission that starts a drain writes its batches).
actor GroupCommit<Item: Sendable, Output: Sendable> {
    typealias Write = @Sendable ([Item]) async -> [Result<Output, any Error>]

    private var pending: [(Item, CheckedContinuation<Output, any Error>)] = []
    private var draining = false
    let maxBatch: Int

    init(maxBatch: Int) {
        self.maxBatch = maxBatch
    }

    func submit(_ item: Item, write: @escaping Write) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((item, continuation))
            if !draining {
                draining = true
                Task { await drain(write) }
            }
        }
    }

    private func drain(_ write: Write) async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            let outcomes = await write(batch.map(\.0))
            for (index, (_, continuation)) in batch.enumerated() {
                continuation.resume(with: index < outcomes.count ? outcomes[index] : .failure(GroupCommitError.noOutcome))
            }
        }
        draining = false
    }
}

/// A batch writer returned fewer outcomes than it was given items.
struct GroupCommitError: Error {
    static let noOutcome = GroupCommitError()
}
