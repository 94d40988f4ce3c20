struct CreatePeerTickets: Migration {
    let version = 17
    let name = "create_peer_tickets"
    let statements = [
        // Tickets brought in from a peer tool: its id for the ticket, the raw local values it sent
        // (kept beside the mapped ones, so a corrected mapping can be replayed) and their digest,
        // which tells an unchanged record on the next import.
        """
        CREATE TABLE peer_tickets (
            organization_id TEXT NOT NULL REFERENCES organizations(id), source TEXT NOT NULL, external_id TEXT NOT NULL,
            ticket_id TEXT NOT NULL REFERENCES tickets(id), raw TEXT NOT NULL, digest TEXT NOT NULL,
            imported_at BIGINT NOT NULL, PRIMARY KEY (organization_id, source, external_id))
        """,
        "CREATE INDEX index_peer_tickets_on_ticket ON peer_tickets (ticket_id)",
    ]
}
