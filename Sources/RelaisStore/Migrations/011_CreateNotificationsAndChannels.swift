struct CreateNotificationsAndChannels: Migration {
    let version = 11
    let name = "create_notifications_and_channels"
    let statements = [
        // The account summary last published as `relais.account.rollup_changed`, and its sequence.
        "ALTER TABLE account_rollups ADD COLUMN published_summary TEXT",
        "ALTER TABLE account_rollups ADD COLUMN published_sequence BIGINT NOT NULL DEFAULT 0",
        // Mail notifications read the outbox once, oldest first; events written before this
        // migration are history, not news.
        "ALTER TABLE outbox ADD COLUMN notified_at BIGINT",
        "UPDATE outbox SET notified_at = created_at",
        "CREATE INDEX index_outbox_unnotified ON outbox (created_at, id) WHERE notified_at IS NULL",
        // Outgoing mail lives beside incoming mail (direction `out`): `outcome` is queued, sent or
        // failed; a queued message is sent from `next_attempt_at` on.
        "ALTER TABLE mail_messages ADD COLUMN recipients TEXT",
        "ALTER TABLE mail_messages ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE mail_messages ADD COLUMN next_attempt_at BIGINT",
        "ALTER TABLE mail_messages ADD COLUMN last_error TEXT",
        "CREATE INDEX index_mail_messages_outgoing ON mail_messages (next_attempt_at) WHERE outcome = 'queued'",
        // The channel a comment came by, when it did not come through the API (phone, email, chat...).
        "ALTER TABLE ticket_comments ADD COLUMN channel TEXT",
        // One token per inbound channel (chat, social, phone...): only its digest is kept.
        """
        CREATE TABLE channel_tokens (
            organization_id TEXT NOT NULL REFERENCES organizations(id), channel TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
            created_at BIGINT NOT NULL, PRIMARY KEY (organization_id, channel))
        """,
        // Who a sender is on a channel that has no mail address: a phone number, a chat or social handle.
        """
        CREATE TABLE contact_identities (
            organization_id TEXT NOT NULL REFERENCES organizations(id), kind TEXT NOT NULL, value TEXT NOT NULL,
            contact_id TEXT NOT NULL REFERENCES contacts(id), created_at BIGINT NOT NULL, PRIMARY KEY (organization_id, kind, value))
        """,
    ]
}
