import Contracts
import Foundation
import Logging
import PostgresNIO
import Wire

/// `tickets.kb_articles`, `tickets.kb_article_views` and `tickets.kb_deflections`, on the caller's connection.
///
/// Rows are read as JSON built in SQL and decoded into the contracts, so each column list lives in one place.
enum KnowledgeBaseStore {
    /// A timestamp column as the wire's RFC 3339 UTC text with milliseconds.
    static func time(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// An article row `a` as the `KBArticle` contract's JSON.
    static let articleJSON = """
        jsonb_strip_nulls(jsonb_build_object(
            'id', a.id, 'slug', a.slug, 'title', a.title, 'body', a.body, 'category', a.category,
            'tags', to_jsonb(a.tags), 'locale', a.locale, 'status', a.status, 'version', a.version,
            'created_at', \(time("a.created_at")), 'updated_at', \(time("a.updated_at")),
            'published_at', \(time("a.published_at"))))::text
        """

    /// `ts_headline` options: short fragments, matches between `<mark>` and `</mark>`.
    static let headlineOptions =
        "StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \""

    // MARK: Articles

    /// Inserts a new article; 409 `slug_taken` when another article has the slug.
    static func create(_ input: KBCreateArticle, on connection: PostgresConnection, logger: Logger) async throws
        -> KBArticle
    {
        let slug = input.slug ?? KBRules.slug(fromTitle: input.title) ?? ""
        let status = (input.status ?? .draft).rawValue
        let rows = try await connection.query(
            """
            INSERT INTO tickets.kb_articles AS a
                (id, slug, title, body, category, tags, locale, status, published_at)
            VALUES (\(UUID()), \(slug), \(input.title.trimmed), \(input.body), \(input.category),
                    \(uniqueTags(input.tags ?? [])), \(input.locale ?? "en"), \(status),
                    CASE WHEN \(status) = 'published' THEN now() END)
            ON CONFLICT (slug) DO NOTHING
            RETURNING \(unescaped: articleJSON)
            """, logger: logger)
        guard let article = try await first(rows) else { throw slugTaken(slug) }
        logger.info("kb article created", metadata: ["article_id": "\(article.id)", "slug": "\(slug)"])
        return article
    }

    /// One article by id or slug.
    static func find(_ input: KBGetArticle, on connection: PostgresConnection, logger: Logger) async throws
        -> KBArticle?
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: articleJSON) FROM tickets.kb_articles a
            WHERE (\(input.id)::uuid IS NOT NULL AND a.id = \(input.id))
               OR (\(input.slug)::text IS NOT NULL AND a.slug = \(input.slug))
            """, logger: logger)
        return try await first(rows)
    }

    /// Applies `input` under optimistic concurrency: 404 for an unknown id, 412 `version_mismatch` (carrying the
    /// current article) for a stale `expected_version`, 409 `slug_taken`.
    static func update(_ input: KBUpdateArticle, on connection: PostgresConnection, logger: Logger) async throws
        -> KBArticle
    {
        let locked = try await connection.query(
            "SELECT \(unescaped: articleJSON) FROM tickets.kb_articles a WHERE a.id = \(input.id) FOR UPDATE",
            logger: logger)
        guard let current = try await first(locked) else { throw Problem.notFound("no article with id \(input.id)") }
        if let expected = input.expectedVersion, expected != current.version {
            var problem = Problem(
                status: 412, code: "version_mismatch", title: "Precondition failed",
                detail: "the article is at version \(current.version), not \(expected); merge with `current` and retry")
            problem.current = try JSONDocument(encoding: current)
            throw problem
        }
        if input.isEmpty { return current }
        if let slug = input.slug, slug != current.slug {
            let taken = try await connection.query(
                "SELECT 1 FROM tickets.kb_articles WHERE slug = \(slug) AND id <> \(input.id)", logger: logger)
            for try await _ in taken.decode(Int.self) { throw slugTaken(slug) }
        }
        let tags = input.tags.map(uniqueTags)
        let rows = try await connection.query(
            """
            UPDATE tickets.kb_articles AS a SET
                slug = coalesce(\(input.slug), slug),
                title = coalesce(\(input.title?.trimmed), title),
                body = coalesce(\(input.body), body),
                category = coalesce(\(input.category), category),
                tags = coalesce(\(tags)::text[], tags),
                locale = coalesce(\(input.locale), locale),
                status = coalesce(\(input.status?.rawValue), status),
                published_at = CASE WHEN coalesce(\(input.status?.rawValue), status) = 'published'
                                    THEN coalesce(published_at, now()) ELSE published_at END,
                version = version + 1,
                updated_at = now()
            WHERE a.id = \(input.id)
            RETURNING \(unescaped: articleJSON)
            """, logger: logger)
        guard let article = try await first(rows) else { throw Problem.internal("the article update returned nothing") }
        logger.info(
            "kb article updated", metadata: ["article_id": "\(article.id)", "version": "\(article.version)"])
        return article
    }

    // MARK: Search and suggestions

    /// One page of `input`'s results: ranked by `ts_rank` with `q`, else most recently updated first.
    static func search(
        _ input: KBSearch, publishedOnly: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> Page<KBSearchHit> {
        let limit = input.limit ?? 20
        let offset = input.cursor.flatMap(KBOffsetCursor.init(encoded:))?.offset ?? 0
        let filters = Filters(
            category: input.category, tag: input.tag, locale: input.locale,
            status: publishedOnly ? KBArticleStatus.published.rawValue : input.status?.rawValue)
        let hits = try await hits(
            matching: input.q?.trimmed, filters: filters, offset: offset, limit: limit + 1, on: connection,
            logger: logger)
        let next = hits.count > limit ? KBOffsetCursor(offset: offset + limit).encoded : nil
        return Page(items: Array(hits.prefix(limit)), nextCursor: next)
    }

    /// The published articles that best match a ticket draft: any of its words (after stemming and stop words),
    /// ranked by `ts_rank`, so the article sharing most words (in its title above all) comes first.
    static func suggest(_ input: KBSuggest, on connection: PostgresConnection, logger: Logger) async throws
        -> KBSuggestions
    {
        let words = suggestionWords(subject: input.subject, message: input.message)
        let query = input.subject.trimmed
        guard !words.isEmpty else { return KBSuggestions(items: [], query: query) }
        let filters = Filters(
            category: nil, tag: nil, locale: input.locale, status: KBArticleStatus.published.rawValue)
        let hits = try await hits(
            matching: words.joined(separator: " or "), filters: filters, offset: 0, limit: input.limit ?? 3,
            on: connection, logger: logger)
        return KBSuggestions(items: hits, query: query)
    }

    /// Articles passing `filters`: with `q` (web-search syntax) those matching it, best `ts_rank` first and with a
    /// highlighted snippet; without, most recently updated first with the body's start as the snippet.
    static func hits(
        matching q: String?, filters: Filters, offset: Int, limit: Int, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [KBSearchHit] {
        // The statement is unnamed, so PostgreSQL plans it with these values: the `IS NULL` tests fold away and the
        // GIN index serves `@@`.
        let rows = try await connection.query(
            """
            SELECT jsonb_build_object(
                'id', a.id, 'slug', a.slug, 'title', a.title, 'category', a.category, 'tags', to_jsonb(a.tags),
                'locale', a.locale, 'status', a.status, 'updated_at', \(unescaped: time("a.updated_at")),
                'rank', r.rank,
                'snippet', CASE WHEN \(q)::text IS NULL THEN left(a.body, 200)
                                ELSE ts_headline(tickets.kb_search_config(a.locale), a.body, query.q,
                                                 \(headlineOptions)) END)::text
            FROM (SELECT websearch_to_tsquery(tickets.kb_search_config(\(filters.locale)), coalesce(\(q), '')) AS q)
                 query
            CROSS JOIN tickets.kb_articles a
            CROSS JOIN LATERAL (SELECT CASE WHEN \(q)::text IS NULL THEN 0::float8
                                            ELSE ts_rank(a.search, query.q)::float8 END AS rank) r
            WHERE (\(q)::text IS NULL OR a.search @@ query.q)
              AND (\(filters.category)::text IS NULL OR a.category = \(filters.category))
              AND (\(filters.tag)::text IS NULL
                   OR EXISTS (SELECT 1 FROM unnest(a.tags) t WHERE lower(t) = lower(\(filters.tag))))
              AND (\(filters.locale)::text IS NULL
                   OR lower(split_part(a.locale, '-', 1)) = lower(split_part(\(filters.locale), '-', 1)))
              AND (\(filters.status)::text IS NULL OR a.status = \(filters.status))
            ORDER BY r.rank DESC, a.updated_at DESC, a.id
            OFFSET \(offset) LIMIT \(limit)
            """, logger: logger)
        var hits: [KBSearchHit] = []
        for try await text in rows.decode(String.self) { hits.append(try decode(KBSearchHit.self, text)) }
        return hits
    }

    /// The distinct words of a draft (letters and digits only, so none is read as search syntax), subject first, at
    /// most 64.
    static func suggestionWords(subject: String, message: String?) -> [String] {
        var seen: Set<String> = []
        var words: [String] = []
        for text in [subject, message ?? ""] {
            var word = ""
            for character in text.lowercased() + " " {
                if character.isLetter || character.isNumber {
                    word.append(character)
                    continue
                }
                if !word.isEmpty, word != "or", word.count <= 64, seen.insert(word).inserted { words.append(word) }
                word = ""
                if words.count >= 64 { return words }
            }
        }
        return words
    }

    // MARK: Views, deflections, stats

    /// Counts one read of a published article (one counter per article and UTC day).
    static func countView(of id: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO tickets.kb_article_views (article_id, day, views)
            VALUES (\(id), (now() AT TIME ZONE 'UTC')::date, 1)
            ON CONFLICT (article_id, day) DO UPDATE SET views = tickets.kb_article_views.views + 1
            """, logger: logger)
    }

    /// Records a deflection of a published article; 422 when there is no such published article.
    static func recordDeflection(
        articleID: UUID, customerID: UUID?, query: String?, on connection: PostgresConnection, logger: Logger
    ) async throws -> KBDeflection {
        let rows = try await connection.query(
            """
            INSERT INTO tickets.kb_deflections AS d (id, article_id, customer_id, query)
            SELECT \(UUID()), a.id, \(customerID), \(query?.trimmed)
            FROM tickets.kb_articles a WHERE a.id = \(articleID) AND a.status = 'published'
            RETURNING jsonb_strip_nulls(jsonb_build_object(
                'id', d.id, 'article_id', d.article_id, 'customer_id', d.customer_id, 'query', d.query,
                'created_at', \(unescaped: time("d.created_at"))))::text
            """, logger: logger)
        for try await text in rows.decode(String.self) {
            logger.info("kb deflection recorded", metadata: ["article_id": "\(articleID)"])
            return try decode(KBDeflection.self, text)
        }
        throw Problem.validation([.init(field: "article_id", message: "no published article has this id")])
    }

    /// An article's views and deflections; nil for an unknown article.
    static func stats(of id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> KBArticleStats? {
        let rows = try await connection.query(
            """
            SELECT jsonb_strip_nulls(jsonb_build_object(
                'article_id', a.id,
                'views', (SELECT coalesce(sum(v.views), 0) FROM tickets.kb_article_views v WHERE v.article_id = a.id),
                'last_viewed_on', (SELECT max(v.day)::text FROM tickets.kb_article_views v WHERE v.article_id = a.id),
                'deflections', (SELECT count(*) FROM tickets.kb_deflections d WHERE d.article_id = a.id),
                'last_deflection_at', (SELECT \(unescaped: time("max(d.created_at)")) FROM tickets.kb_deflections d
                                       WHERE d.article_id = a.id)))::text
            FROM tickets.kb_articles a WHERE a.id = \(id)
            """, logger: logger)
        for try await text in rows.decode(String.self) { return try decode(KBArticleStats.self, text) }
        return nil
    }

    // MARK: Support

    /// The filters every listing shares; nil means any.
    struct Filters {
        var category: String?
        var tag: String?
        var locale: String?
        var status: String?
    }

    static func slugTaken(_ slug: String) -> Problem {
        Problem.conflict("another article already has the slug \(slug)", code: "slug_taken")
    }

    /// Tags trimmed, without case-insensitive duplicates, in their first spelling.
    static func uniqueTags(_ tags: [String]) -> [String] {
        var seen: Set<String> = []
        return tags.map(\.trimmed).filter { seen.insert($0.lowercased()).inserted }
    }

    static func first(_ rows: PostgresRowSequence) async throws -> KBArticle? {
        for try await text in rows.decode(String.self) { return try decode(KBArticle.self, text) }
        return nil
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try WireJSON.decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw Problem.internal("a stored \(T.self) could not be read: \(error)")
        }
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
