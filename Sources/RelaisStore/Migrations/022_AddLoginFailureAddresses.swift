struct AddLoginFailureAddresses: Migration {
    let version = 22
    let name = "add_login_failure_addresses"
    let statements = [
        // Failed sign-ins are also counted by the address they came from, so one address trying
        // many logins is slowed down as well as many addresses trying one login.
        "ALTER TABLE login_failures ADD COLUMN address TEXT",
        "CREATE INDEX index_login_failures_on_address ON login_failures (organization_id, address, failed_at)",
    ]
}
