struct CreateTicketSLA: Migration {
    let version = 6
    let name = "create_ticket_sla"
    let statements = [
        // One row per ticket under an SLA: the policy as applied (so a later map change can be
        // told apart), the warnings and breaches already recorded, and what the lists and reports read.
        """
        CREATE TABLE ticket_sla (
            ticket_id TEXT PRIMARY KEY REFERENCES tickets(id), organization_id TEXT NOT NULL,
            policy_code TEXT NOT NULL, policy TEXT NOT NULL, fingerprint TEXT NOT NULL, fired TEXT NOT NULL,
            is_open BIGINT NOT NULL, next_check_at BIGINT, due_at BIGINT, breached BIGINT NOT NULL,
            first_response TEXT, next_response TEXT, periodic_update TEXT, resolution TEXT,
            evaluated_at BIGINT NOT NULL)
        """,
        // The clock reads only what falls due, never every ticket.
        "CREATE INDEX index_ticket_sla_on_next_check ON ticket_sla (next_check_at)",
        "CREATE INDEX index_ticket_sla_on_due ON ticket_sla (organization_id, due_at)",
        "CREATE INDEX index_ticket_sla_on_breached ON ticket_sla (organization_id, breached, is_open)",
        "CREATE INDEX index_ticket_sla_on_policy ON ticket_sla (policy_code, fingerprint)",
    ]
}
