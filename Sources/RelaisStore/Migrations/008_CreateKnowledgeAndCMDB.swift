struct CreateKnowledgeAndCMDB: Migration {
    let version = 8
    let name = "create_knowledge_and_cmdb"

    /// The full-text index differs by engine: an FTS5 table on SQLite (accents removed by its
    /// tokenizer, English stems by Porter's), a weighted `tsvector` with a GIN index on PostgreSQL
    /// (French or English stems by the article's language, accents folded by Relais before
    /// indexing, so no extension is needed).
    func statements(for kind: RelaisDatabase.Kind) -> [String] {
        switch kind {
        case .sqlite:
            statements + [
                "CREATE VIRTUAL TABLE kb_search USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
            ]
        case .postgres:
            statements + [
                "ALTER TABLE kb_articles ADD COLUMN search_vector tsvector",
                "CREATE INDEX index_kb_articles_search ON kb_articles USING GIN (search_vector)",
            ]
        }
    }

    let statements = [
        // One row per article and language; translations share `translation_group`. `search_key`
        // is the article's number in the full-text index.
        """
        CREATE TABLE kb_articles (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id), translation_group TEXT NOT NULL,
            language TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, category TEXT, audience TEXT NOT NULL,
            status TEXT NOT NULL, author TEXT NOT NULL, version BIGINT NOT NULL, source_ticket_key TEXT,
            search_key BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, published_at BIGINT)
        """,
        "CREATE UNIQUE INDEX index_kb_articles_on_translation ON kb_articles (organization_id, translation_group, language)",
        "CREATE UNIQUE INDEX index_kb_articles_on_search_key ON kb_articles (search_key)",
        // What a search filters on, readable from the index alone for each full-text match.
        "CREATE INDEX index_kb_articles_on_search_filters ON kb_articles (search_key, organization_id, status, audience, language, category, id)",
        "CREATE INDEX index_kb_articles_on_updated ON kb_articles (organization_id, updated_at, id)",
        // Every saved text of an article, the current one included.
        """
        CREATE TABLE kb_article_versions (
            article_id TEXT NOT NULL REFERENCES kb_articles(id), version BIGINT NOT NULL, organization_id TEXT NOT NULL,
            title TEXT NOT NULL, body TEXT NOT NULL, category TEXT, audience TEXT NOT NULL, status TEXT NOT NULL,
            author TEXT NOT NULL, note TEXT, created_at BIGINT NOT NULL, PRIMARY KEY (article_id, version))
        """,
        // Articles tied to tickets: written from the ticket's resolution, or used to solve it.
        """
        CREATE TABLE kb_ticket_links (
            ticket_id TEXT NOT NULL REFERENCES tickets(id), article_id TEXT NOT NULL REFERENCES kb_articles(id),
            organization_id TEXT NOT NULL, relation TEXT NOT NULL, linked_by TEXT NOT NULL, linked_at BIGINT NOT NULL,
            PRIMARY KEY (ticket_id, article_id))
        """,
        "CREATE INDEX index_kb_ticket_links_on_article ON kb_ticket_links (organization_id, article_id, linked_at)",
        "CREATE INDEX index_kb_ticket_links_on_time ON kb_ticket_links (organization_id, linked_at)",
        // Searches people ran, with the number of articles found: what the base lacks.
        """
        CREATE TABLE kb_searches (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, query TEXT NOT NULL, results BIGINT NOT NULL,
            origin TEXT NOT NULL, searched_at BIGINT NOT NULL)
        """,
        "CREATE INDEX index_kb_searches_on_time ON kb_searches (organization_id, searched_at)",
        // A requester who read an article and did not open the ticket.
        """
        CREATE TABLE kb_deflections (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, article_id TEXT NOT NULL REFERENCES kb_articles(id),
            user_id TEXT, family TEXT, query TEXT, deflected_at BIGINT NOT NULL)
        """,
        "CREATE INDEX index_kb_deflections_on_time ON kb_deflections (organization_id, deflected_at)",
        // Configuration items; `attributes` is a JSON object of text values.
        """
        CREATE TABLE config_items (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id), external_id TEXT,
            type TEXT NOT NULL, name TEXT NOT NULL, status TEXT, owner_team TEXT, account_id TEXT REFERENCES accounts(id),
            attributes TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX index_config_items_on_external_id ON config_items (organization_id, external_id)",
        "CREATE INDEX index_config_items_on_type_name ON config_items (organization_id, type, name, id)",
        "CREATE INDEX index_config_items_on_account ON config_items (organization_id, account_id)",
        """
        CREATE TABLE config_relations (
            id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, source_id TEXT NOT NULL REFERENCES config_items(id),
            type TEXT NOT NULL, target_id TEXT NOT NULL REFERENCES config_items(id), created_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX index_config_relations_once ON config_relations (organization_id, source_id, type, target_id)",
        "CREATE INDEX index_config_relations_on_target ON config_relations (organization_id, target_id)",
        """
        CREATE TABLE ticket_config_items (
            ticket_id TEXT NOT NULL REFERENCES tickets(id), item_id TEXT NOT NULL REFERENCES config_items(id),
            organization_id TEXT NOT NULL, linked_at BIGINT NOT NULL, PRIMARY KEY (ticket_id, item_id))
        """,
        "CREATE INDEX index_ticket_config_items_on_item ON ticket_config_items (organization_id, item_id, linked_at)",
        // Bumped by every change to items or relations, so a process's impact graph knows when to reload.
        "CREATE TABLE cmdb_generations (organization_id TEXT PRIMARY KEY, generation BIGINT NOT NULL)",
    ]
}
