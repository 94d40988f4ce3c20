struct AddEntities: Migration {
    let version = 16
    let name = "add_entities"
    let statements = [
        // The legal entity a ticket belongs to and the brand it came through; an account's
        // entity. NULL for what was stored before the map declared entities (it counts as the
        // default entity's).
        "ALTER TABLE tickets ADD COLUMN entity TEXT",
        "ALTER TABLE tickets ADD COLUMN brand TEXT",
        "ALTER TABLE accounts ADD COLUMN entity TEXT",
        "CREATE INDEX index_tickets_on_entity ON tickets (organization_id, entity, created_at, id)",
        // The entities a user is granted: an agent with grants reaches only theirs.
        """
        CREATE TABLE entity_grants (
            organization_id TEXT NOT NULL REFERENCES organizations(id), user_id TEXT NOT NULL REFERENCES users(id),
            entity TEXT NOT NULL, PRIMARY KEY (user_id, entity))
        """,
    ]
}
