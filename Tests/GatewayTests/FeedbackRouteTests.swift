import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import TestSupport
import Testing

@Suite("Gateway feedback and KPI routes", needsDatabase)
struct FeedbackRouteTests {
    /// The token of the first `feedback.csat_requested`, once the `tickets.feedback` consumer has written it.
    static func csatToken(_ databaseURL: String) async throws -> String {
        for _ in 0..<100 {
            let token = try await TestDatabase.withClient(url: databaseURL) { client, logger -> String? in
                let rows = try await client.query(
                    "SELECT payload->>'token' FROM events.log WHERE type = 'feedback.csat_requested'", logger: logger)
                for try await token in rows.decode(String.self) { return token }
                return nil
            }
            if let token { return token }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("no feedback.csat_requested event")
    }

    @Test("a solved ticket's CSAT link works without a key; KPIs need staff")
    func csatLinkAndKPIs() async throws {
        try await GatewayHarness.run { context in
            let client = context.client
            let customer = try await client.send(.post, "/v1/customers", json: #"{"email":"fb@example.com"}"#)
            let customerID = try #require(customer.object["id"] as? String)
            let opened = try await client.send(
                .post, "/v1/tickets",
                json: #"{"customer_id":"\#(customerID)","subject":"Broken mug","message":"Cracked","channel":"email"}"#)
            let id = try #require(opened.object["id"] as? String)
            let number = try #require(opened.object["number"] as? Int)
            let agent = try await client.send(.post, "/v1/agents", json: #"{"name":"Bo","email":"bo@shop.example"}"#)
            let agentID = try #require(agent.object["id"] as? String)
            _ = try await client.send(.patch, "/v1/tickets/\(id)", json: #"{"assignee_id":"\#(agentID)"}"#)
            #expect(try await client.send(.post, "/v1/tickets/\(id)/solve").status == .ok)

            let token = try await Self.csatToken(context.databaseURL)
            let shown = try await client.send(.get, "/feedback/csat/\(token)", key: nil)
            #expect(shown.status == .ok)
            #expect(shown.object["ticket_number"] as? Int == number)
            #expect(shown.object["subject"] as? String == "Broken mug")
            #expect(shown.object["answered"] as? Bool == false)

            let bad = try await client.send(.post, "/feedback/csat/\(token)", key: nil, json: #"{"rating":0}"#)
            #expect(bad.status == .unprocessableContent)
            let answered = try await client.send(
                .post, "/feedback/csat/\(token)", key: nil, json: #"{"rating":4,"comment":"Fine"}"#)
            #expect(answered.status == .ok)
            #expect(answered.object["rating"] as? Int == 4)
            let unknown = try await client.send(.get, "/feedback/csat/\(String(repeating: "x", count: 43))", key: nil)
            #expect(unknown.status == .notFound)
            #expect(unknown.problemCode == "not_found")
            let npsUnknown = try await client.send(.get, "/feedback/nps/nope", key: nil)
            #expect(npsUnknown.status == .notFound)

            // NPS through the staff route, then its cooldown.
            let nps = try await client.send(
                .post, "/v1/customers/\(customerID)/nps", json: "{}")
            #expect(nps.status == .created, "\(nps.object)")
            let again = try await client.send(.post, "/v1/customers/\(customerID)/nps", json: "{}")
            #expect(again.status == .conflict)
            #expect(again.problemCode == "nps_cooldown")

            let now = Date()
            let from = Timestamp.iso(now.addingTimeInterval(-3600))
            let to = Timestamp.iso(now.addingTimeInterval(3600))
            let kpis = try await client.send(.get, "/v1/kpis?from=\(from)&to=\(to)&group_by=agent")
            #expect(kpis.status == .ok)
            let overall = try #require(kpis.object["overall"] as? [String: Any])
            let csat = try #require(overall["csat"] as? [String: Any])
            #expect(csat["sent"] as? Int == 1)
            #expect(csat["satisfied"] as? Int == 1)
            #expect((kpis.object["groups"] as? [Any])?.count == 1)
            let missing = try await client.send(.get, "/v1/kpis?from=\(from)")
            #expect(missing.status == .unprocessableContent)
            let anonymous = try await client.send(.get, "/v1/kpis?from=\(from)&to=\(to)", key: nil)
            #expect(anonymous.status == .unauthorized)
        }
    }
}

private enum Timestamp {
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
