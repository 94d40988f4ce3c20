struct CreateMail: Migration {
    let version = 10
    let name = "create_mail"
    let statements = [
        // Every message received (and, later, sent), its raw text kept in base64. `outcome`:
        // received (being handled), opened, commented, bounce.
        """
        CREATE TABLE mail_messages (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id), direction TEXT NOT NULL,
            channel TEXT NOT NULL, message_id TEXT, conversation TEXT, mailbox TEXT, from_address TEXT, from_name TEXT,
            subject TEXT, ticket_id TEXT REFERENCES tickets(id), outcome TEXT NOT NULL, automatic TEXT, size BIGINT NOT NULL,
            raw TEXT, received_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX index_mail_messages_on_message_id ON mail_messages (organization_id, channel, message_id)",
        "CREATE INDEX index_mail_messages_on_conversation ON mail_messages (organization_id, channel, conversation)",
        "CREATE INDEX index_mail_messages_on_ticket ON mail_messages (ticket_id, received_at)",
        """
        CREATE TABLE mail_attachments (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, mail_id TEXT NOT NULL REFERENCES mail_messages(id),
            ticket_id TEXT, filename TEXT NOT NULL, content_type TEXT NOT NULL, size BIGINT NOT NULL, content TEXT NOT NULL,
            created_at BIGINT NOT NULL)
        """,
        "CREATE INDEX index_mail_attachments_on_ticket ON mail_attachments (ticket_id, created_at)",
        // What could not be read or placed, kept whole until someone retries it.
        """
        CREATE TABLE mail_quarantine (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id), channel TEXT NOT NULL,
            recipients TEXT NOT NULL, reason TEXT NOT NULL, raw TEXT NOT NULL, size BIGINT NOT NULL, status TEXT NOT NULL,
            attempts BIGINT NOT NULL, received_at BIGINT NOT NULL, released_at BIGINT, ticket_id TEXT)
        """,
        "CREATE INDEX index_mail_quarantine_on_status ON mail_quarantine (organization_id, status, received_at)",
        // A contact whose address bounced: no mail is sent to it until it changes.
        "ALTER TABLE contacts ADD COLUMN email_failing_at BIGINT",
        "ALTER TABLE contacts ADD COLUMN email_failure TEXT",
    ]
}
