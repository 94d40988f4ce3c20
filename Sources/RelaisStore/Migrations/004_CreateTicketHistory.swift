struct CreateTicketHistory: Migration {
    let version = 4
    let name = "create_ticket_history"
    let statements = [
        // Append-only: rows are inserted with the change they record and never updated.
        """
        CREATE TABLE ticket_events (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, ticket_id TEXT NOT NULL REFERENCES tickets(id),
            sequence BIGINT NOT NULL, occurred_at BIGINT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
            field TEXT, from_value TEXT, to_value TEXT, rule TEXT,
            UNIQUE (ticket_id, sequence))
        """,
        "CREATE INDEX index_ticket_events_on_organization_time ON ticket_events (organization_id, occurred_at)",
        """
        CREATE TABLE ticket_comments (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, ticket_id TEXT NOT NULL REFERENCES tickets(id),
            author_id TEXT, author TEXT NOT NULL, body TEXT NOT NULL, is_public BIGINT NOT NULL, created_at BIGINT NOT NULL)
        """,
        "CREATE INDEX index_ticket_comments_on_ticket ON ticket_comments (ticket_id, created_at)",
        // Events for the outside world, written in the same transaction as the change.
        """
        CREATE TABLE outbox (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL,
            sequence BIGINT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL, delivered_at BIGINT)
        """,
        "CREATE INDEX index_outbox_on_pending ON outbox (delivered_at, created_at)",
    ]
}
