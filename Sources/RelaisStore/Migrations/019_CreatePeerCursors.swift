struct CreatePeerCursors: Migration {
    let version = 19
    let name = "create_peer_cursors"
    let statements = [
        // Where the sync of each peer tool stands: the tool's cursor after the last page imported,
        // so a sync that stops (an error, a restart) resumes there; and what the last run did.
        """
        CREATE TABLE peer_cursors (
            organization_id TEXT NOT NULL REFERENCES organizations(id), source TEXT NOT NULL, cursor TEXT NOT NULL,
            records BIGINT NOT NULL DEFAULT 0, synced_at BIGINT NOT NULL, last_error TEXT, PRIMARY KEY (organization_id, source))
        """
    ]
}
