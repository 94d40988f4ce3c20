struct CreateOrganizationsAndUsers: Migration {
    let version = 1
    let name = "create_organizations_and_users"
    let statements = [
        """
        CREATE TABLE organizations (
            id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, created_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id),
            name TEXT NOT NULL, email TEXT, role TEXT NOT NULL, created_at BIGINT NOT NULL,
            UNIQUE (organization_id, name))
        """,
        """
        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id),
            user_id TEXT NOT NULL REFERENCES users(id), token_hash TEXT NOT NULL UNIQUE,
            label TEXT, created_at BIGINT NOT NULL, revoked_at BIGINT)
        """,
    ]
}
