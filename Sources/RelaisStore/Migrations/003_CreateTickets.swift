struct CreateTickets: Migration {
    let version = 3
    let name = "create_tickets"
    let statements = [
        """
        CREATE TABLE ticket_sequences (
            organization_id TEXT NOT NULL REFERENCES organizations(id), prefix TEXT NOT NULL,
            last_number BIGINT NOT NULL, PRIMARY KEY (organization_id, prefix))
        """,
        """
        CREATE TABLE tickets (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id),
            key TEXT NOT NULL, number BIGINT NOT NULL, family TEXT NOT NULL,
            title TEXT NOT NULL, description TEXT NOT NULL,
            status TEXT NOT NULL, status_category TEXT NOT NULL,
            impact TEXT, urgency TEXT, priority TEXT, severity TEXT, category TEXT,
            channel TEXT NOT NULL, opened_by TEXT NOT NULL, requester_id TEXT,
            team TEXT, assignee TEXT, level BIGINT,
            tags TEXT NOT NULL, custom_fields TEXT NOT NULL, links TEXT NOT NULL,
            account_id TEXT, resolution_note TEXT,
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
            version BIGINT NOT NULL, last_event_sequence BIGINT NOT NULL,
            UNIQUE (organization_id, key))
        """,
        "CREATE INDEX index_tickets_on_organization_created ON tickets (organization_id, created_at, id)",
        "CREATE INDEX index_tickets_on_team_status_category ON tickets (organization_id, team, status_category, created_at, id)",
        "CREATE INDEX index_tickets_on_family_status ON tickets (organization_id, family, status, created_at, id)",
        "CREATE INDEX index_tickets_on_assignee ON tickets (organization_id, assignee, created_at, id)",
        "CREATE INDEX index_tickets_on_account ON tickets (organization_id, account_id, created_at, id)",
        "CREATE INDEX index_tickets_on_requester ON tickets (organization_id, requester_id, created_at, id)",
        """
        CREATE TABLE ticket_links (
            organization_id TEXT NOT NULL, ticket_id TEXT NOT NULL REFERENCES tickets(id),
            kind TEXT NOT NULL, object_id TEXT NOT NULL, PRIMARY KEY (ticket_id, kind, object_id))
        """,
        "CREATE INDEX index_ticket_links_on_object ON ticket_links (organization_id, kind, object_id)",
    ]
}
