struct CreateTeamMembers: Migration {
    let version = 15
    let name = "create_team_members"
    let statements = [
        // The teams of the map a user works in: a role of the map that reaches `teams: mine`
        // reaches the tickets of these teams.
        """
        CREATE TABLE team_members (
            organization_id TEXT NOT NULL REFERENCES organizations(id), user_id TEXT NOT NULL REFERENCES users(id),
            team TEXT NOT NULL, PRIMARY KEY (user_id, team))
        """,
        "CREATE INDEX index_team_members_on_team ON team_members (organization_id, team)",
    ]
}
