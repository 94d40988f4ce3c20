struct CreateWebSessions: Migration {
    let version = 21
    let name = "create_web_sessions"
    let statements = [
        // People sign in to the web workspace with a password (only its slow hash is kept) and
        // choose their language and time zone there.
        "ALTER TABLE users ADD COLUMN password_hash TEXT",
        "ALTER TABLE users ADD COLUMN locale TEXT",
        "ALTER TABLE users ADD COLUMN time_zone TEXT",
        // A signed-in browser: the digest of its cookie, the token its forms carry, when it began
        // (absolute expiry) and was last seen (idle expiry); ending it is kept, not deleted, so a
        // stolen cookie of an ended session stays refused.
        """
        CREATE TABLE web_sessions (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id),
            user_id TEXT NOT NULL REFERENCES users(id), csrf_token TEXT NOT NULL,
            created_at BIGINT NOT NULL, seen_at BIGINT NOT NULL, ended_at BIGINT)
        """,
        "CREATE INDEX index_web_sessions_on_user ON web_sessions (user_id, created_at)",
        // Failed sign-ins by login name, read to slow guessing down; shared by every process.
        """
        CREATE TABLE login_failures (
            organization_id TEXT NOT NULL REFERENCES organizations(id), login TEXT NOT NULL, failed_at BIGINT NOT NULL)
        """,
        "CREATE INDEX index_login_failures_on_login ON login_failures (organization_id, login, failed_at)",
        // An agent's queue: their tickets still being worked on, newest first; also the unassigned
        // queue (assignee NULL).
        "CREATE INDEX index_tickets_on_assignee_status ON tickets (organization_id, assignee, status_category, created_at, id)",
        // Queue filters people keep under a name.
        """
        CREATE TABLE saved_filters (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id),
            user_id TEXT NOT NULL REFERENCES users(id), name TEXT NOT NULL, query TEXT NOT NULL,
            created_at BIGINT NOT NULL, UNIQUE (user_id, name))
        """,
    ]
}
