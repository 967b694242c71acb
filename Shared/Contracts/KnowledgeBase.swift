import Foundation

// The knowledge base (tickets service): self-service articles, full-text search, suggestions while a ticket is being
// written, and deflections (a customer who read a suggestion and did not open a ticket).

/// Whether customers can see an article.
public enum KBArticleStatus: String, Codable, Sendable, CaseIterable {
    case draft, published
}

/// A knowledge-base article.
public struct KBArticle: Codable, Sendable, Equatable {
    public var id: UUID
    /// The article's stable public name, unique (`how-to-return-an-item`).
    public var slug: String
    public var title: String
    /// Markdown.
    public var body: String
    /// A slug such as `shipping`, `returns`, `payments`, `sizing`, `account`, `other`.
    public var category: String
    public var tags: [String]
    /// A BCP 47 language tag; it picks the search language (stemming) of the article.
    public var locale: String
    public var status: KBArticleStatus
    /// Bumped by every change; the gateway sends it as the ETag.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// When the article was first published.
    public var publishedAt: Date?

    /// An article.
    public init(
        id: UUID, slug: String, title: String, body: String, category: String, tags: [String], locale: String,
        status: KBArticleStatus, version: Int, createdAt: Date, updatedAt: Date, publishedAt: Date?
    ) {
        self.id = id
        self.slug = slug
        self.title = title
        self.body = body
        self.category = category
        self.tags = tags
        self.locale = locale
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.publishedAt = publishedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, title, body, category, tags, locale, status, version
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case publishedAt = "published_at"
    }
}

/// One search or suggestion result: the article without its body, its rank and a highlighted excerpt.
public struct KBSearchHit: Codable, Sendable, Equatable {
    public var id: UUID
    public var slug: String
    public var title: String
    public var category: String
    public var tags: [String]
    public var locale: String
    public var status: KBArticleStatus
    public var updatedAt: Date
    /// `ts_rank` of the article for the query (0 when listing without a query); higher is better.
    public var rank: Double
    /// An excerpt of the body, plain text with the matching words between `<mark>` and `</mark>` (the rest of the
    /// text is not escaped: escape it before rendering as HTML).
    public var snippet: String

    /// A hit.
    public init(
        id: UUID, slug: String, title: String, category: String, tags: [String], locale: String,
        status: KBArticleStatus, updatedAt: Date, rank: Double, snippet: String
    ) {
        self.id = id
        self.slug = slug
        self.title = title
        self.category = category
        self.tags = tags
        self.locale = locale
        self.status = status
        self.updatedAt = updatedAt
        self.rank = rank
        self.snippet = snippet
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, title, category, tags, locale, status, rank, snippet
        case updatedAt = "updated_at"
    }
}

/// How often an article helped: reads by customers and portals, and deflections.
public struct KBArticleStats: Codable, Sendable, Equatable {
    public var articleID: UUID
    public var views: Int64
    public var deflections: Int64
    /// The last day the article was read (UTC date, `2025-01-31`).
    public var lastViewedOn: String?
    public var lastDeflectionAt: Date?

    /// Statistics.
    public init(articleID: UUID, views: Int64, deflections: Int64, lastViewedOn: String?, lastDeflectionAt: Date?) {
        self.articleID = articleID
        self.views = views
        self.deflections = deflections
        self.lastViewedOn = lastViewedOn
        self.lastDeflectionAt = lastDeflectionAt
    }

    enum CodingKeys: String, CodingKey {
        case views, deflections
        case articleID = "article_id"
        case lastViewedOn = "last_viewed_on"
        case lastDeflectionAt = "last_deflection_at"
    }
}

/// A recorded deflection.
public struct KBDeflection: Codable, Sendable, Equatable {
    public var id: UUID
    public var articleID: UUID
    public var customerID: UUID?
    public var query: String?
    public var createdAt: Date

    /// A deflection.
    public init(id: UUID, articleID: UUID, customerID: UUID?, query: String?, createdAt: Date) {
        self.id = id
        self.articleID = articleID
        self.customerID = customerID
        self.query = query
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, query
        case articleID = "article_id"
        case customerID = "customer_id"
        case createdAt = "created_at"
    }
}

/// What `tickets.kb_suggest` answers.
public struct KBSuggestions: Codable, Sendable, Equatable {
    public var items: [KBSearchHit]
    /// Echo the `query` into `tickets.kb_record_deflection` to tell what the customer was asking about.
    public var query: String

    /// Suggestions.
    public init(items: [KBSearchHit], query: String) {
        self.items = items
        self.query = query
    }
}

// MARK: Inputs

/// `tickets.kb_create_article` (admin, agent, services). Without `slug`, one is made from the title.
public struct KBCreateArticle: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["slug", "title", "body", "category", "tags", "locale", "status"]
    public var slug: String?
    public var title: String
    public var body: String
    public var category: String
    public var tags: [String]?
    public var locale: String?
    public var status: KBArticleStatus?

    /// A new article; `draft` and `en` unless given.
    public init(
        slug: String? = nil, title: String, body: String, category: String, tags: [String]? = nil,
        locale: String? = nil, status: KBArticleStatus? = nil
    ) {
        self.slug = slug
        self.title = title
        self.body = body
        self.category = category
        self.tags = tags
        self.locale = locale
        self.status = status
    }

    public func validate() -> [FieldIssue] {
        var issues = KBRules.title(title) + KBRules.body(body) + KBRules.category(category)
        if let slug { issues += KBRules.slug(slug) }
        if slug == nil, KBRules.slug(fromTitle: title) == nil, issues.isEmpty {
            issues.append(FieldIssue("slug", "give a slug: none can be made from this title"))
        }
        if let tags { issues += Validate.tags(tags) }
        if let locale { issues += KBRules.locale(locale) }
        return issues
    }
}

/// `tickets.kb_update_article` (admin, agent, services): changes the given fields. With `expected_version` the change
/// applies only to that version (412 `version_mismatch`, carrying the current article, otherwise).
public struct KBUpdateArticle: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "id", "expected_version", "slug", "title", "body", "category", "tags", "locale", "status",
    ]
    public var id: UUID
    public var expectedVersion: Int?
    public var slug: String?
    public var title: String?
    public var body: String?
    public var category: String?
    public var tags: [String]?
    public var locale: String?
    public var status: KBArticleStatus?

    /// An update of `id`; every other field is optional.
    public init(
        id: UUID, expectedVersion: Int? = nil, slug: String? = nil, title: String? = nil, body: String? = nil,
        category: String? = nil, tags: [String]? = nil, locale: String? = nil, status: KBArticleStatus? = nil
    ) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.slug = slug
        self.title = title
        self.body = body
        self.category = category
        self.tags = tags
        self.locale = locale
        self.status = status
    }

    /// True when the update changes nothing (only `id` and perhaps `expected_version`).
    public var isEmpty: Bool {
        slug == nil && title == nil && body == nil && category == nil && tags == nil && locale == nil && status == nil
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let expectedVersion, expectedVersion < 1 { issues.append(FieldIssue("expected_version", "must be >= 1")) }
        if let slug { issues += KBRules.slug(slug) }
        if let title { issues += KBRules.title(title) }
        if let body { issues += KBRules.body(body) }
        if let category { issues += KBRules.category(category) }
        if let tags { issues += Validate.tags(tags) }
        if let locale { issues += KBRules.locale(locale) }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, title, body, category, tags, locale, status
        case expectedVersion = "expected_version"
    }
}

/// `tickets.kb_get_article`: one article by `id` or by `slug` (exactly one of them). Drafts only for staff.
public struct KBGetArticle: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id", "slug"]
    public var id: UUID?
    public var slug: String?

    /// A look-up by id or slug.
    public init(id: UUID? = nil, slug: String? = nil) {
        self.id = id
        self.slug = slug
    }

    public func validate() -> [FieldIssue] {
        switch (id, slug) {
        case (nil, nil): return [FieldIssue("id", "give id or slug")]
        case (.some, .some): return [FieldIssue("slug", "give id or slug, not both")]
        case (nil, .some(let slug)): return KBRules.slug(slug)
        case (.some, nil): return []
        }
    }
}

/// `tickets.kb_search`: articles matching `q` (web-search syntax: words, `"phrases"`, `or`, `-not`), best first;
/// without `q` every article, most recently updated first. Customer and integration keys see published articles only.
public struct KBSearch: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["q", "category", "tag", "locale", "status", "limit", "cursor"]
    public var q: String?
    public var category: String?
    public var tag: String?
    public var locale: String?
    public var status: KBArticleStatus?
    public var limit: Int?
    public var cursor: String?

    /// A search.
    public init(
        q: String? = nil, category: String? = nil, tag: String? = nil, locale: String? = nil,
        status: KBArticleStatus? = nil, limit: Int? = nil, cursor: String? = nil
    ) {
        self.q = q
        self.category = category
        self.tag = tag
        self.locale = locale
        self.status = status
        self.limit = limit
        self.cursor = cursor
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.optionalText(q, field: "q", max: 200) + Validate.limit(limit)
        if let category { issues += KBRules.category(category) }
        if let tag { issues += Validate.text(tag, field: "tag", max: 64) }
        if let locale { issues += KBRules.locale(locale) }
        if let cursor, KBOffsetCursor(encoded: cursor) == nil {
            issues.append(FieldIssue("cursor", "is not a valid cursor"))
        }
        return issues
    }
}

/// `tickets.kb_suggest`: the published articles that best answer a ticket being written (its subject and message).
public struct KBSuggest: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["subject", "message", "locale", "limit"]
    public var subject: String
    public var message: String?
    public var locale: String?
    /// 1 to 10, default 3.
    public var limit: Int?

    /// A ticket draft.
    public init(subject: String, message: String? = nil, locale: String? = nil, limit: Int? = nil) {
        self.subject = subject
        self.message = message
        self.locale = locale
        self.limit = limit
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(subject, field: "subject", max: 250)
        if let message, message.contains("\u{0}") {
            issues.append(FieldIssue("message", "must not contain NUL characters"))
        } else if let message, message.count > 65_536 {
            issues.append(FieldIssue("message", "must be at most 65536 characters"))
        }
        if let locale { issues += KBRules.locale(locale) }
        if let limit, !(1...10).contains(limit) { issues.append(FieldIssue("limit", "must be between 1 and 10")) }
        return issues
    }
}

/// `tickets.kb_record_deflection`: a customer read `article_id` (a suggestion) and did not open a ticket. Counted once
/// per idempotency key. A customer key records for itself (`customer_id` defaults to it).
public struct KBRecordDeflection: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["article_id", "customer_id", "query"]
    public var articleID: UUID
    public var customerID: UUID?
    /// What the customer was asking (the draft's subject, or the search).
    public var query: String?

    /// A deflection.
    public init(articleID: UUID, customerID: UUID? = nil, query: String? = nil) {
        self.articleID = articleID
        self.customerID = customerID
        self.query = query
    }

    public func validate() -> [FieldIssue] { Validate.optionalText(query, field: "query", max: 500) }

    enum CodingKeys: String, CodingKey {
        case query
        case articleID = "article_id"
        case customerID = "customer_id"
    }
}

/// `tickets.kb_article_stats` (staff): views and deflections of one article.
public struct KBGetArticleStats: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id"]
    public var id: UUID
    /// The article whose statistics to read.
    public init(id: UUID) { self.id = id }
}

// MARK: Rules

/// The field rules of knowledge-base inputs.
public enum KBRules {
    public static func slug(_ value: String, field: String = "slug") -> [FieldIssue] {
        Validate.isSlug(value)
            ? [] : [FieldIssue(field, "must be a slug: 1 to 64 lower-case letters, digits and dashes")]
    }

    public static func category(_ value: String) -> [FieldIssue] {
        Validate.isSlug(value)
            ? []
            : [FieldIssue("category", "must be a slug such as shipping, returns, payments, sizing, account or other")]
    }

    public static func title(_ value: String) -> [FieldIssue] { Validate.text(value, field: "title", max: 200) }

    public static func body(_ value: String) -> [FieldIssue] { Validate.text(value, field: "body", max: 100_000) }

    public static func locale(_ value: String) -> [FieldIssue] {
        Validate.isLocale(value) ? [] : [FieldIssue("locale", "must be a BCP 47 language tag such as en-GB")]
    }

    /// A slug made from a title (`"How do I return an item?"` → `how-do-i-return-an-item`); nil when the title has
    /// no ASCII letters or digits.
    public static func slug(fromTitle title: String) -> String? {
        var slug = ""
        var dash = false
        for character in title.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                if dash, !slug.isEmpty { slug.append("-") }
                slug.append(character)
                dash = false
            } else {
                dash = true
            }
            if slug.count >= 64 { break }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? nil : String(slug.prefix(64))
    }
}

/// The cursor of a ranked result list: the offset of the next page, opaque to callers.
public struct KBOffsetCursor: Sendable, Equatable {
    public var offset: Int

    public init(offset: Int) { self.offset = offset }

    public var encoded: String {
        Data("kb:\(offset)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes a cursor made by `encoded`; nil for anything else.
    public init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard encoded.count <= 40, let data = Data(base64Encoded: base64),
            let text = String(data: data, encoding: .utf8), text.hasPrefix("kb:"),
            let offset = Int(text.dropFirst(3)), (0...100_000).contains(offset)
        else { return nil }
        self.init(offset: offset)
    }
}
