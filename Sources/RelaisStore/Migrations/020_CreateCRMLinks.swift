struct CreateCRMLinks: Migration {
    let version = 20
    let name = "create_crm_links"
    let statements = [
        // What was pushed to an outside CRM: the CRM's id for a Relais object (a ticket) and the
        // digest of what it was last sent, so only what changed is sent again.
        """
        CREATE TABLE crm_links (
            organization_id TEXT NOT NULL REFERENCES organizations(id), connector TEXT NOT NULL, object TEXT NOT NULL,
            local_id TEXT NOT NULL, remote_id TEXT NOT NULL, digest TEXT NOT NULL, pushed_at BIGINT NOT NULL,
            PRIMARY KEY (organization_id, connector, object, local_id))
        """
    ]
}
