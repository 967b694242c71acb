import Contracts
import Foundation
import ServiceRuntime
import Wire

/// The knowledge base's operations (`tickets.kb_*`): staff (admin, agent) and services write articles; everyone,
/// `customer` keys included, reads, searches and gets suggestions among published ones and records deflections.
public enum KnowledgeBaseOperations {
    /// Registers the operations on `router`.
    public static func register(_ router: inout OperationRouter, _ database: Database) {
        router.command(KB.createArticle, KBCreateArticle.self) { input, context, connection in
            try requireEditor(context)
            return try await KnowledgeBaseStore.create(input, on: connection, logger: context.logger)
        }

        router.command(KB.updateArticle, KBUpdateArticle.self, status: 200) { input, context, connection in
            try requireEditor(context)
            return try await KnowledgeBaseStore.update(input, on: connection, logger: context.logger)
        }

        router.query(KB.getArticle, KBGetArticle.self) { input, context in
            let editor = isEditor(context)
            return try await database.withConnection { connection in
                guard let article = try await KnowledgeBaseStore.find(input, on: connection, logger: context.logger),
                    editor || article.status == .published
                else {
                    throw Problem.notFound("no article \(input.id?.uuidString ?? input.slug ?? "")")
                }
                // Reads by customers and portals are what the article is for; staff reads are editing.
                if !editor, article.status == .published {
                    try await KnowledgeBaseStore.countView(of: article.id, on: connection, logger: context.logger)
                }
                return article
            }
        }

        router.query(KB.search, KBSearch.self) { input, context in
            let editor = isEditor(context)
            if !editor, let status = input.status, status != .published {
                throw Problem.forbidden("this key sees published articles only")
            }
            return try await database.withConnection {
                try await KnowledgeBaseStore.search(input, publishedOnly: !editor, on: $0, logger: context.logger)
            }
        }

        router.query(KB.suggest, KBSuggest.self) { input, context in
            try await database.withConnection {
                try await KnowledgeBaseStore.suggest(input, on: $0, logger: context.logger)
            }
        }

        router.command(KB.recordDeflection, KBRecordDeflection.self) { input, context, connection in
            var customerID = input.customerID
            if context.principal.role == .customer {
                if let customerID { try context.authorize(customerID: customerID) }
                customerID = context.principal.customerID
            }
            return try await KnowledgeBaseStore.recordDeflection(
                articleID: input.articleID, customerID: customerID, query: input.query, on: connection,
                logger: context.logger)
        }

        router.query(KB.articleStats, KBGetArticleStats.self) { input, context in
            try context.requireStaff()
            let stats = try await database.withConnection {
                try await KnowledgeBaseStore.stats(of: input.id, on: $0, logger: context.logger)
            }
            guard let stats else { throw Problem.notFound("no article with id \(input.id)") }
            return stats
        }
    }

    private typealias KB = Contracts.Operation.KnowledgeBase

    /// Admins, agents and services edit the knowledge base and see drafts; integration and customer keys read.
    static func isEditor(_ context: OperationContext) -> Bool {
        [.admin, .agent, .service].contains(context.principal.role)
    }

    static func requireEditor(_ context: OperationContext) throws {
        guard isEditor(context) else {
            throw Problem.forbidden("only admin and agent keys may write knowledge-base articles")
        }
    }
}
