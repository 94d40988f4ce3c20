struct CreateCRMRecords: Migration {
    let version = 7
    let name = "create_crm_records"

    /// On SQLite the roll-up counts are stored in key order (`WITHOUT ROWID`), so an account's
    /// counts sit together and a recomputation walks them in order; PostgreSQL has no such option
    /// and needs none for its joins.
    func statements(for kind: RelaisDatabase.Kind) -> [String] {
        guard kind == .sqlite else { return statements }
        return statements.map { $0.contains("CREATE TABLE account_rollup_counts") ? $0 + " WITHOUT ROWID" : $0 }
    }

    let statements = [
        // Opportunities, contracts, invoices, subscriptions and assets share one table: they are
        // read by kind and account, and each kind uses the columns that apply to it.
        """
        CREATE TABLE crm_records (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id), kind TEXT NOT NULL,
            account_id TEXT REFERENCES accounts(id), external_id TEXT,
            name TEXT, number TEXT, product TEXT, stage TEXT, status TEXT, sla_level TEXT, serial_number TEXT,
            amount_cents BIGINT, currency TEXT, quantity BIGINT,
            start_date TEXT, end_date TEXT, renewal_date TEXT, close_date TEXT, due_date TEXT,
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX index_crm_records_on_external_id ON crm_records (organization_id, kind, external_id)",
        "CREATE INDEX index_crm_records_on_kind_created ON crm_records (organization_id, kind, created_at, id)",
        "CREATE INDEX index_crm_records_on_account ON crm_records (organization_id, account_id, kind)",
        "CREATE UNIQUE INDEX index_contacts_on_external_id ON contacts (organization_id, external_id)",
        "CREATE INDEX index_contacts_on_email ON contacts (organization_id, email)",
        "CREATE INDEX index_accounts_on_domain ON accounts (organization_id, domain)",
        // A requester's rating of a solved ticket; the account is copied so reports need no join.
        """
        CREATE TABLE ticket_ratings (
            ticket_id TEXT PRIMARY KEY REFERENCES tickets(id), organization_id TEXT NOT NULL, account_id TEXT,
            score BIGINT NOT NULL, comment TEXT, rated_at BIGINT NOT NULL)
        """,
        "CREATE INDEX index_ticket_ratings_on_account ON ticket_ratings (organization_id, account_id, rated_at)",
        // The per-account summary pushed to the CRM, kept up to date by every ticket write: tickets
        // counted per combination of the summarised fields (a change moves one ticket between two
        // rows), summed per field when read. "" stands for no severity or category.
        """
        CREATE TABLE account_rollup_counts (
            organization_id TEXT NOT NULL, account_id TEXT NOT NULL, status_category TEXT NOT NULL, family TEXT NOT NULL,
            severity TEXT NOT NULL, category TEXT NOT NULL, count BIGINT NOT NULL,
            PRIMARY KEY (account_id, status_category, family, severity, category))
        """,
        // What the roll-up counts, readable from the index alone, in the order it groups by.
        "CREATE INDEX index_tickets_on_account_summary ON tickets (organization_id, account_id, status_category, family, severity, category)",
        """
        CREATE TABLE account_rollups (
            account_id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, tickets BIGINT NOT NULL,
            last_ticket_id TEXT, last_ticket_key TEXT, last_ticket_at BIGINT, open_signals BIGINT NOT NULL,
            dirty BIGINT NOT NULL)
        """,
        // Accounts whose tickets changed since their signals were last evaluated.
        "CREATE INDEX index_account_rollups_on_dirty ON account_rollups (dirty, organization_id)",
        // Business signals: at most one open signal per rule and subject (an account, or a feature
        // across accounts).
        """
        CREATE TABLE signals (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, rule TEXT NOT NULL, subject TEXT NOT NULL,
            account_id TEXT, group_value TEXT, status TEXT NOT NULL, opened_at BIGINT NOT NULL, closed_at BIGINT,
            evidence TEXT NOT NULL, task_ticket_key TEXT, updated_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX index_signals_open_once ON signals (organization_id, rule, subject) WHERE status = 'open'",
        "CREATE INDEX index_signals_on_account ON signals (organization_id, account_id, status)",
        "CREATE INDEX index_signals_on_status ON signals (organization_id, status, opened_at)",
        """
        CREATE TABLE signal_events (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, signal_id TEXT NOT NULL REFERENCES signals(id),
            kind TEXT NOT NULL, occurred_at BIGINT NOT NULL, evidence TEXT NOT NULL)
        """,
        "CREATE INDEX index_signal_events_on_signal ON signal_events (signal_id, occurred_at)",
    ]
}
