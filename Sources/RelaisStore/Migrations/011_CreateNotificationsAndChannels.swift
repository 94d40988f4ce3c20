struct CreateNotificationsAndChannels: Migration {
    let version = 11
    let name = "create_notifications_and_channels"
    let statements = [
        // The account summary last published as `relais.account.rollup_changed`, and its sequence.
        "ALTER TABLE account_rollups ADD COLUMN published_summary TEXT",
        "ALTER TABLE account_rollups ADD COLUMN published_sequence BIGINT NOT NULL DEFAULT 0",
    ]
}
