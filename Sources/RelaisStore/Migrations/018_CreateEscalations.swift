struct CreateEscalations: Migration {
    let version = 18
    let name = "create_escalations"
    let statements = [
        // One issue in a developers' tracker and the tickets escalated to it. `action` is what the
        // tracker is asked, while `status` is pending: open a new issue, or read one that exists.
        // Pending work is leased (`lease_owner`, `lease_until`) and retried at `next_attempt_at`.
        """
        CREATE TABLE escalations (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id), tracker TEXT NOT NULL,
            action TEXT NOT NULL, status TEXT NOT NULL, issue_id TEXT, issue_key TEXT, issue_url TEXT, issue_state TEXT,
            fixed_at BIGINT, steps TEXT, requested_by TEXT NOT NULL, requested_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at BIGINT, lease_owner TEXT, lease_until BIGINT, last_error TEXT)
        """,
        "CREATE UNIQUE INDEX index_escalations_on_issue ON escalations (organization_id, tracker, issue_id) WHERE issue_id IS NOT NULL",
        "CREATE INDEX index_escalations_on_due ON escalations (status, next_attempt_at)",
        """
        CREATE TABLE escalation_tickets (
            escalation_id TEXT NOT NULL REFERENCES escalations(id), ticket_id TEXT NOT NULL REFERENCES tickets(id),
            organization_id TEXT NOT NULL, added_at BIGINT NOT NULL, PRIMARY KEY (escalation_id, ticket_id))
        """,
        "CREATE INDEX index_escalation_tickets_on_ticket ON escalation_tickets (ticket_id)",
        // Webhook deliveries of trackers already taken, by the delivery id the tracker gave: a
        // delivery sent again is answered without being applied twice.
        """
        CREATE TABLE tracker_deliveries (
            organization_id TEXT NOT NULL REFERENCES organizations(id), tracker TEXT NOT NULL, delivery_id TEXT NOT NULL,
            received_at BIGINT NOT NULL, outcome TEXT NOT NULL, PRIMARY KEY (organization_id, tracker, delivery_id))
        """,
    ]
}
