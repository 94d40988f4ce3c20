struct CreateMapVersions: Migration {
    let version = 14
    let name = "create_map_versions"
    let statements = [
        // Every map an organisation ran or was asked to run: its full text, the files it names
        // (holiday calendars) as they were read, and a hash of both; who proposed
        // it against which running version, who decided, the status moves it declares, and, for a
        // proposal that did not validate, every problem found.
        """
        CREATE TABLE map_versions (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id), number BIGINT NOT NULL,
            state TEXT NOT NULL, base_number BIGINT, rollback_of BIGINT, text TEXT NOT NULL, included TEXT NOT NULL, hash TEXT NOT NULL,
            message TEXT NOT NULL,
            author_id TEXT, author TEXT NOT NULL, created_at BIGINT NOT NULL,
            decided_by_id TEXT, decided_by TEXT, decided_at BIGINT, decision_note TEXT,
            applied_by TEXT, applied_at BIGINT,
            sections TEXT NOT NULL, domains TEXT NOT NULL, moves TEXT NOT NULL, problems TEXT NOT NULL,
            UNIQUE (organization_id, number))
        """,
        "CREATE INDEX index_map_versions_on_state ON map_versions (organization_id, state, number)",
        // The version each organisation runs. Applying moves it with a compare-and-set on
        // `number`, so of two applies racing from the same version one fails.
        """
        CREATE TABLE map_heads (
            organization_id TEXT PRIMARY KEY REFERENCES organizations(id), version_id TEXT NOT NULL REFERENCES map_versions(id),
            number BIGINT NOT NULL, applied_at BIGINT NOT NULL)
        """,
    ]
}
