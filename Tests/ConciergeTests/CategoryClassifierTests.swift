import Contracts
import Foundation
import ServiceRuntime
import TestSupport
import Testing
import Wire

/// The trained category classifier: it learns from the tickets whose category a person chose and categorises the
/// tickets that neither the keyword rules nor an order do.
@Suite("Tickets: the trained category classifier", .enabled(if: TestDatabase.isConfigured))
struct CategoryClassifierTests {
    static let wholesale = [
        "Bulk pricing for my boutique", "Reseller terms for our shop", "Stockist application",
        "Trade account for a boutique", "Can we become a stockist", "Bulk quote for forty units",
        "Reseller discount tiers", "Boutique wholesale catalogue", "Stockist minimums", "Trade terms for resellers",
        "Wholesale catalogue request", "Boutique reseller application", "Bulk buying for our store",
        "Trade pricing sheet", "Stockist agreement", "Reseller onboarding",
    ]
    static let press = [
        "Interview request from a magazine", "Journalist asking for a feature", "Press kit for our magazine",
        "Podcast interview invitation", "Feature in a fashion magazine", "Journalist deadline on Friday",
        "Magazine photo shoot", "Press release about your brand", "Interview for a newspaper column",
        "Editorial feature proposal", "Blogger collaboration and interview", "Magazine cover story",
        "Press enquiry from a journalist", "Newspaper feature on founders", "Radio interview slot",
    ]

    @Test("too few examples train nothing and say why; enough train a model that categorises new tickets")
    func trainsAndClassifies() async throws {
        try await Fixture.withRouters { routers in
            let customer = try await routers.customers.createCustomer()
            func create(_ subject: String, category: String?) async throws -> Ticket {
                let reply = try await routers.tickets.call(
                    Operation.Tickets.create,
                    CreateTicket(
                        customerID: customer.id, subject: subject, message: "Sent from my phone", channel: .email,
                        category: category))
                #expect(reply.status == 201)
                return try reply.decoded(Ticket.self)
            }
            for subject in Self.wholesale.prefix(3) { _ = try await create(subject, category: "wholesale") }
            let tooFew = try await routers.tickets.call(Operation.Tickets.trainClassifier, NoInput())
            #expect(tooFew.status == 200)
            let refused = try tooFew.decoded(CategoryClassifierStatus.self)
            #expect(!refused.trained)
            #expect(refused.examples == 3)
            #expect(refused.reason?.contains("at least 30") == true)
            // Without a model, a ticket no rule matches stays `other`.
            #expect(try await create("Stockist question", category: nil).category == "other")

            for subject in Self.wholesale.dropFirst(3) { _ = try await create(subject, category: "wholesale") }
            for subject in Self.press { _ = try await create(subject, category: "press") }
            let trained = try await routers.tickets.call(Operation.Tickets.trainClassifier, NoInput())
            let status = try trained.decoded(CategoryClassifierStatus.self)
            #expect(status.trained)
            #expect(status.categories == ["wholesale": 16, "press": 15])
            #expect(status.examples == 31)
            let read = try await routers.tickets.call(Operation.Tickets.classifierStatus, NoInput())
            #expect(try read.decoded(CategoryClassifierStatus.self) == status)

            let stockist = try await create("Becoming a stockist for my boutique", category: nil)
            #expect(stockist.category == "wholesale")
            #expect(stockist.categoryReason?.hasPrefix("classifier: ") == true)
            #expect(stockist.categoryReason?.hasSuffix("(trained on 31 tickets)") == true)
            #expect(try await create("A journalist wants an interview", category: nil).category == "press")
            // Rules still come first, and words the model never saw leave the ticket `other`.
            #expect(try await create("Refund for my stockist order", category: nil).category == "billing")
            #expect(try await create("Zzyzx qwerty", category: nil).category == "other")
            // An agent's choice is a training example; the classifier's own guesses are not.
            let guessed = try await TestDatabase.scalar(
                url: routers.url, "SELECT count(*) FROM tickets.tickets WHERE category_reason LIKE 'classifier:%'")
            #expect(guessed == 2)
        }
    }

    @Test("only admins train; staff read the status")
    func roles() async throws {
        try await Fixture.withRouters { routers in
            let byAgent = try await routers.tickets.call(
                Operation.Tickets.trainClassifier, NoInput(), principal: .agent)
            #expect(byAgent.status == 403)
            let read = try await routers.tickets.call(
                Operation.Tickets.classifierStatus, NoInput(), principal: .agent)
            #expect(read.status == 200)
            #expect(try read.decoded(CategoryClassifierStatus.self).trained == false)
            let byCustomer = try await routers.tickets.call(
                Operation.Tickets.classifierStatus, NoInput(), principal: .customer(UUID()))
            #expect(byCustomer.status == 403)
        }
    }
}
