struct IndexEventRetention: Migration {
    let version = 12
    let name = "index_event_retention"
    let statements = [
        // What `EventRetention` removes is found by age: tries, delivered deliveries, outbox events
        // (and, for each event, whether a delivery still needs it).
        "CREATE INDEX index_webhook_attempts_on_time ON webhook_attempts (attempted_at)",
        "CREATE INDEX index_webhook_deliveries_delivered ON webhook_deliveries (delivered_at) WHERE status = 'delivered'",
        "CREATE INDEX index_webhook_deliveries_on_event ON webhook_deliveries (event_id)",
        "CREATE INDEX index_outbox_on_created ON outbox (created_at)",
    ]
}
