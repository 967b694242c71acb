import Contracts
import CustomersService
import Foundation
import Logging
import LoyaltyService
import Majordomo
import PostgresNIO
import ReturnsService
import ServiceRuntime
import TestSupport
import Testing
import TicketsService
import Wire

/// Erasure, export and merge propagation across the four services (real broker, services and consumers in process).
@Suite("Privacy across services", .enabled(if: TestDatabase.isConfigured))
struct PrivacyTests {
    static let admin = Principal(role: .admin, keyID: "admin-key")

    @Test func erasureTombstonesEverythingKeepsTotalsAndIsIdempotent() async throws {
        try await PrivacySuite.run { suite in
            let ada = try await suite.createCustomer(email: "ada@example.com")
            let bob = try await suite.createCustomer(email: "bob@example.com")
            let adaTicket = try await suite.createTicket(ada, subject: "Where is my parcel, Ada here")
            _ = try await suite.addMessage(adaTicket, body: "My address is 12 Byron Street")
            _ = try await suite.createTicket(bob, subject: "Bob's question")
            _ = try await suite.createReturn(ada, reason: "Too small for my son Byron")
            let store = UUID()
            try await suite.exec(
                """
                INSERT INTO customers.orders (id, store_id, platform, platform_order_id, number, customer_id, email, phone,
                    state, currency, total_minor, refunded_minor, shipping_address, placed_at)
                VALUES ('\(UUID())', '\(store)', 'shopify', 1001, '#1001', '\(ada.id)', 'ada@example.com', '+442079460000',
                    'open', 'EUR', 12345, 345, '{"line1":"12 Byron Street"}', now());
                INSERT INTO customers.identities (kind, scope, value, customer_id)
                VALUES ('shopify', '\(store)', '77', '\(ada.id)');
                UPDATE loyalty.accounts SET available = 120, pending = 30, lifetime = 500
                WHERE customer_id = '\(ada.id)'
                """)
            try await suite.waitFor("loyalty accounts and timeline") {
                let accounts = try await suite.int("SELECT count(*) FROM loyalty.accounts")
                let entries = try await suite.int(
                    "SELECT count(*) FROM customers.timeline WHERE customer_id = '\(ada.id)'")
                // created, her ticket, her return's ticket, the return
                return accounts == 2 && entries == 4
            }
            try await suite.exec(
                "UPDATE loyalty.accounts SET available = 120, pending = 30, lifetime = 500 WHERE customer_id = '\(ada.id)'"
            )

            // Not for agents or customers.
            for principal in [Principal(role: .agent, keyID: "a"), Principal(role: .customer, customerID: ada.id)] {
                let refused = try await suite.send(
                    "customers", Operation.Customers.erase, EraseCustomer(customerID: ada.id), principal: principal)
                #expect(refused.status == 403, "\(refused.bodyText)")
            }
            #expect(try await suite.int("SELECT count(*) FROM customers.erasures") == 0)
            let unknown = try await suite.send(
                "customers", Operation.Customers.erase, EraseCustomer(customerID: UUID()), principal: Self.admin)
            #expect(unknown.status == 404)

            let reply = try await suite.send(
                "customers", Operation.Customers.erase, EraseCustomer(customerID: ada.id, reason: "gdpr request"),
                principal: Self.admin, key: "erase-1")
            #expect(reply.status == 202, "\(reply.bodyText)")
            let erasure = try reply.decoded(CustomerErasure.self)
            #expect(erasure.customerID == ada.id)
            #expect(erasure.reason == "gdpr request")
            #expect(erasure.requestedBy == "admin-key")

            let status = try await suite.waitForCompleteErasure(ada.id)
            #expect(status.erasureID == erasure.erasureID)
            #expect(status.services.customers != nil && status.services.loyalty != nil)

            // Tombstones everywhere; Bob untouched; rows, counts and amounts unchanged.
            #expect(
                try await suite.text(
                    "SELECT concat_ws('|', email, name, phone, email_normalized) FROM customers.customers WHERE id = '\(ada.id)'"
                ) == "")
            #expect(try await suite.int("SELECT count(*) FROM customers.customers WHERE erased_at IS NOT NULL") == 1)
            #expect(
                try await suite.int("SELECT count(*) FROM customers.identities WHERE customer_id = '\(ada.id)'") == 0)
            #expect(
                try await suite.text(
                    "SELECT concat(coalesce(email, '-'), coalesce(phone, '-'), coalesce(shipping_address::text, '-'), total_minor, '/', refunded_minor) FROM customers.orders"
                ) == "---12345/345")
            #expect(
                try await suite.int(
                    "SELECT count(*) FROM customers.timeline WHERE customer_id = '\(ada.id)' AND summary <> '[erased]'")
                    == 0)
            #expect(
                try await suite.text("SELECT subject FROM tickets.tickets WHERE customer_id = '\(ada.id)'")
                    == "[erased]")
            #expect(
                try await suite.text("SELECT subject FROM tickets.tickets WHERE customer_id = '\(bob.id)'")
                    == "Bob's question")
            #expect(
                try await suite.int(
                    "SELECT count(*) FROM tickets.messages m JOIN tickets.tickets t ON t.id = m.ticket_id WHERE t.customer_id = '\(ada.id)' AND m.body = '[erased]'"
                ) >= 3)  // her two messages and her return ticket's request (and its return notes, once applied)
            #expect(
                try await suite.int(
                    "SELECT count(*) FROM tickets.messages m JOIN tickets.tickets t ON t.id = m.ticket_id WHERE t.customer_id = '\(ada.id)' AND m.author_type <> 'system' AND m.body <> '[erased]'"
                ) == 0)
            #expect(
                try await suite.int(
                    "SELECT count(*) FROM tickets.messages m JOIN tickets.tickets t ON t.id = m.ticket_id WHERE t.customer_id = '\(bob.id)' AND m.body = '[erased]'"
                ) == 0)
            #expect(
                try await suite.text("SELECT reason FROM returns.returns WHERE customer_id = '\(ada.id)'") == "[erased]"
            )
            #expect(try await suite.int("SELECT sum(quantity) FROM returns.return_lines") == 2)
            let account = try await suite.text(
                "SELECT concat(available, '/', pending, '/', lifetime, '/', erased_at IS NOT NULL) FROM loyalty.accounts WHERE customer_id = '\(ada.id)'"
            )
            let accounts = try await suite.text("SELECT jsonb_agg(to_jsonb(a))::text FROM loyalty.accounts a") ?? ""
            #expect(account == "120/30/500/t", "\(accounts)")

            // Erasing again answers the same erasure (with or without the idempotency key) and records nothing new.
            // (The same key with another body is a conflict, as for every command.)
            for (key, reason) in [("erase-1", "gdpr request"), ("erase-2", nil)] {
                let again = try await suite.send(
                    "customers", Operation.Customers.erase, EraseCustomer(customerID: ada.id, reason: reason),
                    principal: Self.admin, key: key)
                #expect(again.status == 202)
                #expect(try again.decoded(CustomerErasure.self).erasureID == erasure.erasureID)
            }
            #expect(try await suite.int("SELECT count(*) FROM events.log WHERE type = 'customer.erased'") == 1)

            // Replaying customer.erased to every consumer changes nothing and confirms nothing twice.
            try await suite.replay(type: EventType.customerErased)
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await suite.int("SELECT count(*) FROM events.log WHERE type = 'privacy.erasure_applied'") == 4)
            #expect(try await suite.int("SELECT count(*) FROM customers.erasure_confirmations") == 4)
            #expect(
                try await suite.text("SELECT subject FROM tickets.tickets WHERE customer_id = '\(bob.id)'")
                    == "Bob's question")
        }
    }

    @Test func exportHasEachServicesDataAndNothingOfAnotherCustomer() async throws {
        try await PrivacySuite.run { suite in
            let ada = try await suite.createCustomer(email: "ada@example.com")
            let bob = try await suite.createCustomer(email: "bob@example.com")
            _ = try await suite.createTicket(ada, subject: "Ada's ticket")
            _ = try await suite.createTicket(bob, subject: "Bob's ticket")
            _ = try await suite.createReturn(ada, reason: "Ada's reason")
            _ = try await suite.createReturn(bob, reason: "Bob's reason")
            try await suite.waitFor("loyalty accounts") {
                try await suite.int("SELECT count(*) FROM loyalty.accounts") == 2
            }
            // The timeline is projected by a consumer too: its entries arrive a little after the commits.
            try await suite.waitFor("Ada's timeline") {
                try await suite.int("SELECT count(*) FROM customers.timeline WHERE customer_id = '\(ada.id)'") >= 1
            }
            func export(_ service: String, _ operation: String) async throws -> JSONDocument {
                let reply = try await suite.send(
                    service, operation, ExportCustomer(customerID: ada.id), principal: Self.admin)
                #expect(reply.status == 200, "\(reply.bodyText)")
                let text = reply.bodyText
                #expect(!text.contains(bob.id.uuidString.lowercased()) && !text.contains("Bob"))
                return try reply.decoded(JSONDocument.self)
            }
            let customers = try await export("customers", Operation.Customers.exportCustomer)
            #expect(customers["profile"]?["email"]?.string == "ada@example.com")
            #expect(customers["timeline"]?.elements.count ?? 0 >= 1)
            #expect(customers["orders"]?.elements.isEmpty == true)
            let tickets = try await export("tickets", Operation.Tickets.exportCustomer)
            // Her ticket and the one her return opened.
            let adas = tickets["tickets"]?.elements ?? []
            #expect(
                Set(adas.compactMap { $0["subject"]?.string }) == ["Ada's ticket", "Return request for order #1001"])
            let ticket = adas.first { $0["subject"]?.string == "Ada's ticket" }
            #expect(ticket?["subject"]?.string == "Ada's ticket")
            #expect(ticket?["messages"]?.elements.first?["body"]?.string == "first message")
            let returns = try await export("returns", Operation.Returns.exportCustomer)
            #expect(returns["returns"]?.elements.first?["reason"]?.string == "Ada's reason")
            #expect(returns["returns"]?.elements.first?["lines"]?.elements.first?["quantity"]?.integer == 2)
            let loyalty = try await export("loyalty", Operation.Loyalty.exportCustomer)
            #expect(loyalty["account"]?["customer_id"]?.string == ada.id.uuidString.lowercased())

            let missing = try await suite.send(
                "customers", Operation.Customers.exportCustomer, ExportCustomer(customerID: UUID()),
                principal: Self.admin)
            #expect(missing.status == 404)
            let forbidden = try await suite.send(
                "tickets", Operation.Tickets.exportCustomer, ExportCustomer(customerID: ada.id),
                principal: Principal(role: .customer, customerID: ada.id))
            #expect(forbidden.status == 403)
        }
    }

    @Test func mergeMovesTicketsReturnsAndSumsLoyaltyOnceUnderReplay() async throws {
        try await PrivacySuite.run { suite in
            let source = try await suite.createCustomer(email: "old@example.com")
            let target = try await suite.createCustomer(email: "new@example.com")
            _ = try await suite.createTicket(source, subject: "old ticket")
            _ = try await suite.createReturn(source, reason: "old return")
            try await suite.waitFor("loyalty accounts") {
                try await suite.int("SELECT count(*) FROM loyalty.accounts") == 2
            }
            try await suite.exec(
                """
                UPDATE loyalty.accounts SET available = 100, pending = 10, lifetime = 300 WHERE customer_id = '\(source.id)';
                UPDATE loyalty.accounts SET available = 5, pending = 1, lifetime = 7 WHERE customer_id = '\(target.id)'
                """)
            try await suite.appendEvent(
                EventType.customerMerged, aggregateID: target.id,
                payload: CustomerMerged(sourceCustomerID: source.id, targetCustomerID: target.id))
            try await suite.waitFor("merge applied") {
                let merges = try await suite.int("SELECT count(*) FROM loyalty.merges")
                let tickets = try await suite.int(
                    "SELECT count(*) FROM tickets.tickets WHERE customer_id = '\(target.id)'")
                let returns = try await suite.int(
                    "SELECT count(*) FROM returns.returns WHERE customer_id = '\(target.id)'")
                // the source's ticket and its return's ticket
                return merges == 1 && tickets == 2 && returns == 1
            }
            try await suite.replay(type: EventType.customerMerged)
            try await Task.sleep(for: .milliseconds(600))
            #expect(
                try await suite.text(
                    "SELECT concat(available, '/', pending, '/', lifetime) FROM loyalty.accounts WHERE customer_id = '\(target.id)'"
                ) == "105/11/307")
            #expect(
                try await suite.int("SELECT count(*) FROM loyalty.accounts WHERE customer_id = '\(source.id)'") == 0)
            #expect(try await suite.int("SELECT count(*) FROM tickets.tickets WHERE customer_id = '\(source.id)'") == 0)
            #expect(try await suite.int("SELECT count(*) FROM returns.returns WHERE customer_id = '\(source.id)'") == 0)
        }
    }
}
