struct CreateIdempotencyKeys: Migration {
    let version = 5
    let name = "create_idempotency_keys"
    let statements = [
        """
        CREATE TABLE idempotency_keys (
            organization_id TEXT NOT NULL, user_id TEXT NOT NULL, key TEXT NOT NULL,
            request_hash TEXT NOT NULL, status BIGINT NOT NULL, resource TEXT NOT NULL, created_at BIGINT NOT NULL,
            PRIMARY KEY (organization_id, user_id, key))
        """
    ]
}
