/// A fixed-size pool of database connections handed out one caller at a time.
///
/// Callers beyond the pool's size wait in arrival order. SQLite writes go through a pool of one,
/// which serialises transactions in the process instead of letting them fight over the file lock.
actor ConnectionPool {
    typealias Connection = PooledConnection
    private let limit: Int
    private let open: @Sendable () async throws -> Connection
    private var idle: [Connection] = []
    private var opened = 0
    private var waiters: [CheckedContinuation<Connection?, Never>] = []
    private var closed = false

    init(limit: Int, open: @escaping @Sendable () async throws -> Connection) {
        self.limit = max(1, limit)
        self.open = open
    }

    func acquire() async throws -> Connection {
        while true {
            if closed { throw StoreError.unavailable("the database is closed") }
            if let connection = idle.popLast() {
                if connection.isUsable() { return connection }
                opened -= 1
                await connection.close()
                continue
            }
            if opened < limit {
                opened += 1
                do {
                    return try await open()
                } catch {
                    opened -= 1
                    wakeOne()
                    throw StoreError.unavailable("cannot connect to the database: \(error)")
                }
            }
            // A released connection is handed over directly; nil means "try again".
            if let connection = await withCheckedContinuation({ waiters.append($0) }) { return connection }
        }
    }

    func release(_ connection: Connection) async {
        if closed || !connection.isUsable() {
            opened -= 1
            await connection.close()
            wakeOne()
            return
        }
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume(returning: nil) }
    }

    func shutdown() async {
        closed = true
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters.removeAll()
        let connections = idle
        idle.removeAll()
        opened -= connections.count
        for connection in connections { await connection.close() }
    }
}
