import Foundation
import GatewayApp
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Gateway loyalty routes", needsDatabase)
struct LoyaltyRouteTests {
    @Test("rules, rewards, redemption, goodwill and ledger checks over HTTP, with problems for bad input")
    func programOverHTTP() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let customer = try await client.send(.post, "/v1/customers", json: #"{"email":"ly@example.com"}"#)
            let customerID = try #require(customer.object["id"] as? String)
            let key = try await client.send(
                .post, "/v1/api-keys", json: #"{"name":"ly portal","role":"customer","customer_id":"\#(customerID)"}"#)
            let customerKey = try #require(key.object["secret"] as? String)
            let agentKey = try #require(
                try await client.send(.post, "/v1/api-keys", json: #"{"name":"desk","role":"agent"}"#)
                    .object["secret"] as? String)

            // Rules: published by admins only, checked field by field, versioned.
            let published = try await client.send(
                .post, "/v1/loyalty/rules", json: #"{"rules":{"points_per_unit":2,"birthday_bonus":300}}"#,
                headers: [.idempotencyKey: "rules-1"])
            #expect(published.status == .created)
            #expect(published.object["version"] as? Int == 1)
            let byAgent = try await client.send(
                .post, "/v1/loyalty/rules", key: agentKey, json: #"{"rules":{}}"#)
            #expect(byAgent.status == .forbidden)
            let typo = try await client.send(.post, "/v1/loyalty/rules", json: #"{"rules":{"point_per_unit":2}}"#)
            #expect(typo.status == .unprocessableContent)
            #expect(typo.problemCode == "validation_failed")
            let malformed = try await client.send(.post, "/v1/loyalty/rules", json: "{")
            #expect(malformed.status == .badRequest)
            let current = try await client.send(.get, "/v1/loyalty/rules", key: customerKey)
            #expect(current.object["version"] as? Int == 1)
            #expect(try await client.send(.get, "/v1/loyalty/tiers").status == .ok)

            // A birthday bonus funds the account; the same bonus again is a conflict.
            let bonus = try await client.send(
                .post, "/v1/customers/\(customerID)/loyalty/bonuses", key: agentKey, json: #"{"kind":"birthday"}"#)
            #expect(bonus.status == .created)
            #expect(bonus.object["available"] as? Int == 300)
            let again = try await client.send(
                .post, "/v1/customers/\(customerID)/loyalty/bonuses", key: agentKey, json: #"{"kind":"birthday"}"#)
            #expect(again.status == .conflict)
            #expect(again.problemCode == "bonus_already_awarded")

            // Rewards and redemption by the customer's own key.
            let reward = try await client.send(
                .post, "/v1/loyalty/rewards",
                json: #"{"name":"10% off","kind":"percentage_discount","points_cost":250,"percent":10}"#)
            #expect(reward.status == .created)
            let rewardID = try #require(reward.object["reward_id"] as? String)
            let badReward = try await client.send(
                .post, "/v1/loyalty/rewards", json: #"{"name":"x","kind":"percentage_discount","points_cost":1}"#)
            #expect(badReward.status == .unprocessableContent)
            let redeemed = try await client.send(
                .post, "/v1/customers/\(customerID)/loyalty/redemptions", key: customerKey,
                json: #"{"reward_id":"\#(rewardID)"}"#, headers: [.idempotencyKey: "redeem-1"])
            #expect(redeemed.status == .created)
            let redemptionID = try #require(redeemed.object["redemption_id"] as? String)
            let replay = try await client.send(
                .post, "/v1/customers/\(customerID)/loyalty/redemptions", key: customerKey,
                json: #"{"reward_id":"\#(rewardID)"}"#, headers: [.idempotencyKey: "redeem-1"])
            #expect(replay.object["code"] as? String == redeemed.object["code"] as? String)
            let broke = try await client.send(
                .post, "/v1/customers/\(customerID)/loyalty/redemptions", key: customerKey,
                json: #"{"reward_id":"\#(rewardID)"}"#, headers: [.idempotencyKey: "redeem-2"])
            #expect(broke.status == .unprocessableContent)
            #expect(broke.problemCode == "insufficient_points")
            let foreign = try await client.send(
                .post, "/v1/customers/\(UUID().uuidString)/loyalty/redemptions", key: customerKey,
                json: #"{"reward_id":"\#(rewardID)"}"#)
            #expect(foreign.status == .forbidden)
            let pathClash = try await client.send(
                .post, "/v1/customers/\(customerID)/loyalty/redemptions", key: customerKey,
                json: #"{"reward_id":"\#(rewardID)","customer_id":"\#(customerID)"}"#)
            #expect(pathClash.status == .unprocessableContent)
            let cancelled = try await client.send(
                .post, "/v1/customers/\(customerID)/loyalty/redemptions/\(redemptionID)/cancel", key: customerKey)
            #expect(cancelled.status == .ok)
            #expect(cancelled.object["status"] as? String == "cancelled")
            let badID = try await client.send(.post, "/v1/customers/\(customerID)/loyalty/redemptions/nope/cancel")
            #expect(badID.status == .badRequest)

            // The ledger, newest first, keyset-paginated.
            let page = try await client.send(
                .get, "/v1/customers/\(customerID)/loyalty/entries?limit=2", key: customerKey)
            #expect(page.status == .ok)
            let kinds = (page.object["items"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
            #expect(kinds == ["adjust", "redeem"])
            let cursor = try #require(page.object["next_cursor"] as? String)
            let rest = try await client.send(
                .get, "/v1/customers/\(customerID)/loyalty/entries?cursor=\(cursor)", key: customerKey)
            #expect((rest.object["items"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } == ["earn"])
            let badLimit = try await client.send(.get, "/v1/customers/\(customerID)/loyalty/entries?limit=0")
            #expect(badLimit.status == .unprocessableContent)
            let account = try await client.send(.get, "/v1/customers/\(customerID)/loyalty", key: customerKey)
            #expect(account.object["available"] as? Int == 300)
            #expect(account.object["owed"] as? Int == 0)

            // Goodwill from a ticket: the ticket must be the customer's.
            let ticket = try await client.send(
                .post, "/v1/tickets",
                json: #"{"customer_id":"\#(customerID)","subject":"Late","message":"Still waiting","channel":"email"}"#)
            let ticketID = try #require(ticket.object["id"] as? String)
            let goodwill = try await client.send(
                .post, "/v1/tickets/\(ticketID)/goodwill", key: agentKey,
                json: #"{"customer_id":"\#(customerID)","points":150,"reason":"late parcel"}"#,
                headers: [.idempotencyKey: "gw-1"])
            #expect(goodwill.status == .created)
            #expect(goodwill.object["agent"] as? String != nil)
            let wrongCustomer = try await client.send(
                .post, "/v1/tickets/\(ticketID)/goodwill", key: agentKey,
                json: #"{"customer_id":"\#(UUID().uuidString)","points":10,"reason":"x"}"#)
            #expect(wrongCustomer.status == .unprocessableContent)
            let overCap = try await client.send(
                .post, "/v1/tickets/\(ticketID)/goodwill", key: agentKey,
                json: #"{"customer_id":"\#(customerID)","points":1900,"reason":"too much"}"#)
            #expect(overCap.problemCode == "goodwill_cap_exceeded")
            let byCustomer = try await client.send(
                .post, "/v1/tickets/\(ticketID)/goodwill", key: customerKey,
                json: #"{"customer_id":"\#(customerID)","points":1,"reason":"me"}"#)
            #expect(byCustomer.status == .forbidden)

            // Retention rules, tasks, win-back.
            let rule = try await client.send(
                .put, "/v1/loyalty/retention-rules/low_csat",
                json: #"{"enabled":true,"points":100,"open_task":true,"max_rating":2}"#)
            #expect(rule.status == .ok)
            let unknownTrigger = try await client.send(
                .put, "/v1/loyalty/retention-rules/rain", json: #"{"enabled":true,"points":1,"open_task":false}"#)
            #expect(unknownTrigger.status == .unprocessableContent)
            #expect(try await client.send(.get, "/v1/loyalty/retention-rules", key: agentKey).status == .ok)
            #expect(try await client.send(.get, "/v1/loyalty/tasks?status=open").status == .ok)
            #expect(try await client.send(.get, "/v1/loyalty/tasks?status=later").status == .unprocessableContent)
            let winBack = try await client.send(.get, "/v1/loyalty/win-back?days=90&consented=email", key: agentKey)
            #expect(winBack.status == .ok)
            #expect(winBack.object["items"] as? [Any] != nil)
            #expect(try await client.send(.get, "/v1/loyalty/win-back").status == .unprocessableContent)
            #expect(try await client.send(.get, "/v1/loyalty/win-back?days=0").status == .unprocessableContent)
            #expect(try await client.send(.get, "/v1/loyalty/win-back?days=9", key: customerKey).status == .forbidden)

            // Ledger checks are for admins.
            let verified = try await client.send(.post, "/v1/loyalty/ledger/verify")
            #expect(verified.status == .ok)
            #expect((verified.object["mismatched"] as? [Any])?.isEmpty == true)
            #expect(verified.object["balanced"] as? Bool == true)
            #expect(try await client.send(.post, "/v1/loyalty/ledger/verify", key: agentKey).status == .forbidden)
            #expect(try await client.send(.post, "/v1/loyalty/ledger/rebuild").status == .ok)
        }
    }
}
