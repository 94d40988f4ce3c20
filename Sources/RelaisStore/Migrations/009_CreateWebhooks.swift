struct CreateWebhooks: Migration {
    let version = 9
    let name = "create_webhooks"
    let statements = [
        // Where events go. `event_types` is a JSON array of patterns; during a rotation the
        // previous secret signs too, until `previous_secret_expires_at`.
        """
        CREATE TABLE webhook_endpoints (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id), url TEXT NOT NULL,
            description TEXT, event_types TEXT NOT NULL, secret TEXT NOT NULL, previous_secret TEXT,
            previous_secret_expires_at BIGINT, active BIGINT NOT NULL, disabled_reason TEXT,
            created_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
        """,
        "CREATE INDEX index_webhook_endpoints_on_organization ON webhook_endpoints (organization_id, created_at)",
        // One event for one endpoint. `status`: pending, delivered or dead. A process that takes a
        // delivery holds it until `lease_until`; if it dies, another takes it after that.
        """
        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
            event_id TEXT NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL, sequence BIGINT NOT NULL,
            event_time BIGINT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL, next_attempt_at BIGINT NOT NULL,
            lease_owner TEXT, lease_until BIGINT, last_status_code BIGINT, last_error TEXT,
            created_at BIGINT NOT NULL, delivered_at BIGINT, dead_at BIGINT,
            UNIQUE (endpoint_id, event_id))
        """,
        // Due deliveries, and for each the earlier ones of its subject still waiting.
        "CREATE INDEX index_webhook_deliveries_due ON webhook_deliveries (next_attempt_at, event_time, sequence) WHERE status = 'pending'",
        "CREATE INDEX index_webhook_deliveries_on_subject ON webhook_deliveries (endpoint_id, subject, event_time, sequence) WHERE status = 'pending'",
        "CREATE INDEX index_webhook_deliveries_on_endpoint ON webhook_deliveries (endpoint_id, created_at)",
        "CREATE INDEX index_webhook_deliveries_dead ON webhook_deliveries (organization_id, dead_at) WHERE status = 'dead'",
        // Every try and its answer: the delivery log of an endpoint.
        """
        CREATE TABLE webhook_attempts (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, delivery_id TEXT NOT NULL,
            event_id TEXT NOT NULL, attempt BIGINT NOT NULL, attempted_at BIGINT NOT NULL, duration_ms BIGINT NOT NULL,
            status_code BIGINT, error TEXT)
        """,
        "CREATE INDEX index_webhook_attempts_on_endpoint ON webhook_attempts (endpoint_id, attempted_at)",
        "CREATE INDEX index_webhook_attempts_on_delivery ON webhook_attempts (delivery_id, attempt)",
        // The outbox is read oldest first among the rows not yet handed to the deliveries.
        "CREATE INDEX index_outbox_undelivered ON outbox (created_at, id) WHERE delivered_at IS NULL",
    ]
}
