struct CreateCRMObjects: Migration {
    let version = 2
    let name = "create_crm_objects"
    let statements = [
        """
        CREATE TABLE accounts (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id),
            name TEXT NOT NULL, external_id TEXT, domain TEXT, tier TEXT, segment TEXT, region TEXT,
            owner TEXT, annual_revenue BIGINT, currency TEXT,
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX index_accounts_on_organization_external_id ON accounts (organization_id, external_id)",
        "CREATE INDEX index_accounts_on_organization_created ON accounts (organization_id, created_at, id)",
        """
        CREATE TABLE contacts (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id),
            account_id TEXT REFERENCES accounts(id), name TEXT NOT NULL, email TEXT, external_id TEXT,
            created_at BIGINT NOT NULL)
        """,
        "CREATE INDEX index_contacts_on_organization_created ON contacts (organization_id, created_at, id)",
        "CREATE INDEX index_contacts_on_account ON contacts (organization_id, account_id)",
    ]
}
