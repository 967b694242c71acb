import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Knowledge base: inputs")
struct KnowledgeBaseInputTests {
    func problem<T: OperationInput>(_ type: T.Type, _ json: String) -> Problem? {
        do {
            _ = try PayloadDecoder.decode(T.self, from: Array(json.utf8))
            return nil
        } catch {
            return error as? Problem
        }
    }

    @Test func badArticlesAreRefusedWithFieldErrors() {
        let cases: [(String, String)] = [
            (#"{"title":"","body":"b","category":"shipping"}"#, "title"),
            (#"{"title":"t","body":" ","category":"shipping"}"#, "body"),
            (#"{"title":"t","body":"b","category":"Shipping & Co"}"#, "category"),
            (#"{"slug":"Not A Slug","title":"t","body":"b","category":"other"}"#, "slug"),
            (#"{"title":"t","body":"b","category":"other","locale":"english"}"#, "locale"),
            (#"{"title":"t","body":"b","category":"other","status":"live"}"#, "status"),
            (#"{"title":"t","body":"b","category":"other","tags":[""]}"#, "tags[0]"),
            (#"{"title":"t","body":"b","category":"other","colour":"red"}"#, "colour"),
            (#"{"title":"???","body":"b","category":"other"}"#, "slug"),
        ]
        for (json, field) in cases {
            let problem = self.problem(KBCreateArticle.self, json)
            #expect(problem?.status == 422, "\(json)")
            #expect(problem?.errors?.map(\.field).contains(field) == true, "\(json): \(String(describing: problem))")
        }
        #expect(problem(KBCreateArticle.self, #"{"title":"Hi there","body":"b","category":"other"}"#) == nil)
    }

    @Test func slugsAreMadeFromTitles() {
        #expect(KBRules.slug(fromTitle: "How do I return an item?") == "how-do-i-return-an-item")
        #expect(KBRules.slug(fromTitle: "  Größe & Passform: 2024 ") == "gr-e-passform-2024")
        #expect(KBRules.slug(fromTitle: "¿¡!") == nil)
        #expect(KBRules.slug(fromTitle: String(repeating: "ab ", count: 50))?.count ?? 0 <= 64)
    }

    @Test func lookUpsTakeExactlyOneOfIDAndSlug() {
        #expect(problem(KBGetArticle.self, "{}")?.status == 422)
        #expect(problem(KBGetArticle.self, #"{"id":"\#(UUID())","slug":"a"}"#)?.status == 422)
        #expect(problem(KBGetArticle.self, #"{"slug":"a b"}"#)?.status == 422)
        #expect(problem(KBGetArticle.self, #"{"slug":"returns"}"#) == nil)
    }

    @Test func cursorsRoundTripAndForeignOnesAreRefused() {
        #expect(KBOffsetCursor(encoded: KBOffsetCursor(offset: 40).encoded) == KBOffsetCursor(offset: 40))
        #expect(KBOffsetCursor(encoded: "nonsense") == nil)
        #expect(problem(KBSearch.self, #"{"q":"x","cursor":"nonsense"}"#)?.errors?.first?.field == "cursor")
        #expect(problem(KBSearch.self, #"{"limit":0}"#)?.errors?.first?.field == "limit")
        #expect(problem(KBSuggest.self, #"{"subject":"x","limit":11}"#)?.errors?.first?.field == "limit")
    }
}

@Suite("Knowledge base through the tickets router", .enabled(if: TestDatabase.isConfigured))
struct KnowledgeBaseTests {
    static let admin = Principal(role: .admin, keyID: "admin-key")

    @discardableResult
    func article(
        _ routers: Fixture.Routers, slug: String? = nil, title: String, body: String, category: String = "other",
        tags: [String]? = nil, status: KBArticleStatus = .published
    ) async throws -> KBArticle {
        let reply = try await routers.tickets.call(
            Operation.KnowledgeBase.createArticle,
            KBCreateArticle(slug: slug, title: title, body: body, category: category, tags: tags, status: status),
            principal: Self.admin)
        #expect(reply.status == 201, "\(reply.bodyText)")
        return try reply.decoded(KBArticle.self)
    }

    func search(_ routers: Fixture.Routers, _ input: KBSearch, as principal: Principal? = nil) async throws
        -> Page<KBSearchHit>
    {
        let reply = try await routers.tickets.call(Operation.KnowledgeBase.search, input, principal: principal)
        #expect(reply.status == 200, "\(reply.bodyText)")
        return try reply.decoded(Page<KBSearchHit>.self)
    }

    @Test func aTitleHitOutranksABodyHit() async throws {
        try await Fixture.withRouters { routers in
            let inBody = try await article(
                routers, title: "Delivery times",
                body: "Parcels arrive in three days. Refunds are covered on the other page.", category: "shipping")
            let inTitle = try await article(
                routers, title: "Refunds", body: "We pay back within five days of receiving the item.",
                category: "payments")
            try await article(routers, title: "Sizing", body: "Our shirts run small.", category: "sizing")
            let page = try await search(routers, KBSearch(q: "refunds"))
            #expect(page.items.map(\.id) == [inTitle.id, inBody.id])
            #expect(page.items[0].rank > page.items[1].rank)
            #expect(page.items[1].snippet.contains("<mark>Refunds</mark>"))
        }
    }

    @Test func stemmingFindsOtherFormsOfAWord() async throws {
        try await Fixture.withRouters { routers in
            let returns = try await article(
                routers, slug: "returns", title: "Returns and exchanges",
                body: "Send the item back within 30 days.", category: "returns")
            let page = try await search(routers, KBSearch(q: "returning"))
            #expect(page.items.map(\.id) == [returns.id])
            // Web-search syntax: a phrase, an exclusion, `or`.
            #expect(try await search(routers, KBSearch(q: "\"30 days\"")).items.count == 1)
            #expect(try await search(routers, KBSearch(q: "returns -exchanges")).items.isEmpty)
            #expect(try await search(routers, KBSearch(q: "sizing or exchange")).items.count == 1)
            #expect(try await search(routers, KBSearch(q: "returns", category: "shipping")).items.isEmpty)
        }
    }

    @Test func draftsAreHiddenFromCustomers() async throws {
        try await Fixture.withRouters { routers in
            let customer = Principal.customer(UUID())
            let draft = try await article(
                routers, title: "Payment methods", body: "Cards and PayPal.", category: "payments", status: .draft)
            let published = try await article(
                routers, title: "Payment by invoice", body: "Invoices are due in 14 days.", category: "payments")
            #expect(try await search(routers, KBSearch(q: "payments"), as: customer).items.map(\.id) == [published.id])
            #expect(Set(try await search(routers, KBSearch(q: "payments"), as: .agent).items.map(\.id)).count == 2)
            #expect(
                try await search(routers, KBSearch(category: "payments"), as: customer).items.map(\.id)
                    == [published.id])
            let asked = try await routers.tickets.call(
                Operation.KnowledgeBase.search, KBSearch(status: .draft), principal: customer)
            #expect(asked.status == 403)
            let get = try await routers.tickets.call(
                Operation.KnowledgeBase.getArticle, KBGetArticle(id: draft.id), principal: customer)
            #expect(get.status == 404)
            let bySlug = try await routers.tickets.call(
                Operation.KnowledgeBase.getArticle, KBGetArticle(slug: draft.slug), principal: .agent)
            #expect(bySlug.status == 200)
            // Customers may not write.
            let write = try await routers.tickets.call(
                Operation.KnowledgeBase.createArticle, KBCreateArticle(title: "x", body: "y", category: "other"),
                principal: customer)
            #expect(write.status == 403)
        }
    }

    @Test func invalidInputIs422WithFieldErrorsAndSlugsAreUnique() async throws {
        try await Fixture.withRouters { routers in
            let bad = await routers.tickets.call(
                Operation.KnowledgeBase.createArticle, json: #"{"title":" ","body":"b","category":"Bad Category"}"#,
                principal: Self.admin)
            #expect(bad.status == 422)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["title", "category"])
            let first = try await article(routers, title: "How do I track my parcel?", body: "Use the link.")
            #expect(first.slug == "how-do-i-track-my-parcel")
            let again = try await routers.tickets.call(
                Operation.KnowledgeBase.createArticle,
                KBCreateArticle(title: "How do I track my parcel?", body: "Other text", category: "shipping"),
                principal: Self.admin)
            #expect(again.status == 409)
            #expect(again.problem?.code == "slug_taken")
        }
    }

    @Test func aStaleVersionIs412WithTheCurrentArticle() async throws {
        try await Fixture.withRouters { routers in
            let created = try await article(routers, title: "Sizes", body: "S, M, L.", category: "sizing")
            #expect(created.version == 1)
            let first = try await routers.tickets.call(
                Operation.KnowledgeBase.updateArticle,
                KBUpdateArticle(id: created.id, expectedVersion: 1, body: "S, M, L, XL."), principal: .agent)
            #expect(first.status == 200)
            let updated = try first.decoded(KBArticle.self)
            #expect(updated.version == 2)
            #expect(updated.body == "S, M, L, XL.")
            #expect(updated.updatedAt >= created.updatedAt)

            let stale = try await routers.tickets.call(
                Operation.KnowledgeBase.updateArticle,
                KBUpdateArticle(id: created.id, expectedVersion: 1, title: "Late edit"), principal: .agent)
            #expect(stale.status == 412)
            #expect(stale.problem?.code == "version_mismatch")
            let current = try #require(try stale.problem?.current?.decode(KBArticle.self))
            #expect(current == updated)

            // Without expected_version the change applies to whatever is current.
            let blind = try await routers.tickets.call(
                Operation.KnowledgeBase.updateArticle, KBUpdateArticle(id: created.id, status: .draft),
                principal: .agent)
            #expect(try blind.decoded(KBArticle.self).version == 3)
            let missing = try await routers.tickets.call(
                Operation.KnowledgeBase.updateArticle, KBUpdateArticle(id: UUID(), title: "x"), principal: .agent)
            #expect(missing.status == 404)
        }
    }

    @Test func suggestionsForATicketDraft() async throws {
        try await Fixture.withRouters { routers in
            let tracking = try await article(
                routers, title: "Where is my parcel?", body: "Track your delivery with the link in your email.",
                category: "shipping", tags: ["tracking"])
            let returns = try await article(
                routers, title: "Returning an item", body: "Send it back within 30 days.", category: "returns")
            try await article(
                routers, title: "Parcel lost in transit", body: "We send a new parcel.", category: "shipping",
                status: .draft)
            let reply = try await routers.tickets.call(
                Operation.KnowledgeBase.suggest,
                KBSuggest(subject: "My parcel has not arrived", message: "Where is it? The tracking shows nothing."),
                principal: .customer(UUID()))
            #expect(reply.status == 200, "\(reply.bodyText)")
            let suggestions = try reply.decoded(KBSuggestions.self)
            #expect(suggestions.items.map(\.id) == [tracking.id])
            #expect(suggestions.query == "My parcel has not arrived")

            let other = try await routers.tickets.call(
                Operation.KnowledgeBase.suggest,
                KBSuggest(subject: "I want to return these shoes (wrong size) - or exchange?", limit: 1))
            #expect(try other.decoded(KBSuggestions.self).items.map(\.id) == [returns.id])
            let nothing = try await routers.tickets.call(
                Operation.KnowledgeBase.suggest, KBSuggest(subject: "!!! ??? the"))
            #expect(try nothing.decoded(KBSuggestions.self).items.isEmpty)
        }
    }

    @Test func aDeflectionCountsOncePerIdempotencyKey() async throws {
        try await Fixture.withRouters { routers in
            let customerID = UUID()
            let customer = Principal.customer(customerID)
            let article = try await article(routers, title: "Opening hours", body: "9 to 5.", category: "account")
            let input = KBRecordDeflection(articleID: article.id, query: "when are you open")
            let first = try await routers.tickets.call(
                Operation.KnowledgeBase.recordDeflection, input, principal: customer, key: "k:deflect-1")
            #expect(first.status == 201, "\(first.bodyText)")
            let deflection = try first.decoded(KBDeflection.self)
            #expect(deflection.customerID == customerID)
            let retry = try await routers.tickets.call(
                Operation.KnowledgeBase.recordDeflection, input, principal: customer, key: "k:deflect-1")
            #expect(try retry.decoded(KBDeflection.self) == deflection)
            let reused = try await routers.tickets.call(
                Operation.KnowledgeBase.recordDeflection, KBRecordDeflection(articleID: article.id),
                principal: customer, key: "k:deflect-1")
            #expect(reused.status == 422)
            #expect(reused.problem?.code == "idempotency_conflict")
            _ = try await routers.tickets.call(
                Operation.KnowledgeBase.recordDeflection, input, principal: customer, key: "k:deflect-2")

            // A customer reads the article twice; staff reads are not views.
            for principal in [customer, customer, Principal.agent] {
                let read = try await routers.tickets.call(
                    Operation.KnowledgeBase.getArticle, KBGetArticle(slug: article.slug), principal: principal)
                #expect(read.status == 200)
            }
            let stats = try await routers.tickets.call(
                Operation.KnowledgeBase.articleStats, KBGetArticleStats(id: article.id), principal: .agent)
            let counted = try stats.decoded(KBArticleStats.self)
            #expect(counted.deflections == 2)
            #expect(counted.views == 2)
            #expect(counted.lastViewedOn != nil)
            #expect(counted.lastDeflectionAt != nil)
            let forbidden = try await routers.tickets.call(
                Operation.KnowledgeBase.articleStats, KBGetArticleStats(id: article.id), principal: customer)
            #expect(forbidden.status == 403)

            // Another customer's id, and drafts, are refused.
            let other = try await routers.tickets.call(
                Operation.KnowledgeBase.recordDeflection, KBRecordDeflection(articleID: article.id, customerID: UUID()),
                principal: customer, key: "k:deflect-3")
            #expect(other.status == 403)
            let unknown = try await routers.tickets.call(
                Operation.KnowledgeBase.recordDeflection, KBRecordDeflection(articleID: UUID()), principal: customer,
                key: "k:deflect-4")
            #expect(unknown.status == 422)
            #expect(unknown.problem?.errors?.first?.field == "article_id")
        }
    }

    @Test func searchPagesWithACursor() async throws {
        try await Fixture.withRouters { routers in
            for index in 1...5 {
                try await article(
                    routers, title: "Shipping to zone \(index)", body: "Rates for zone \(index).",
                    category: "shipping")
            }
            var seen: [UUID] = []
            var cursor: String?
            repeat {
                let page = try await search(routers, KBSearch(q: "shipping", limit: 2, cursor: cursor))
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen.count == 5)
            #expect(Set(seen).count == 5)
        }
    }
}
