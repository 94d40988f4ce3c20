struct CreateAuditLog: Migration {
    let version = 13
    let name = "create_audit_log"
    let statements = [
        // Who did or was refused what, and when. `organization_id` is empty for a request whose
        // token named nobody. Rows are never changed: triggers refuse updates and deletes.
        """
        CREATE TABLE audit_log (
            id TEXT PRIMARY KEY, organization_id TEXT, occurred_at BIGINT NOT NULL, actor_id TEXT, actor TEXT NOT NULL,
            action TEXT NOT NULL, target TEXT, outcome TEXT NOT NULL, detail TEXT NOT NULL)
        """,
        "CREATE INDEX index_audit_log_on_organization ON audit_log (organization_id, occurred_at, id)",
    ]

    func statements(for kind: RelaisDatabase.Kind) -> [String] {
        switch kind {
        case .sqlite:
            return statements
                + ["UPDATE", "DELETE"].map { operation in
                    "CREATE TRIGGER audit_log_no_\(operation.lowercased()) BEFORE \(operation) ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
                }
        case .postgres:
            return statements + [
                "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
                "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
                "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
            ]
        }
    }
}
