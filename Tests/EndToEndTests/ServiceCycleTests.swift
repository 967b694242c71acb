import Foundation
import TestSupport
import Testing

extension EndToEnd {
    /// The whole service cycle through the real gateway and services: an email arrives, the customer is matched,
    /// the ticket is categorised and assigned, the agent replies with a macro, the customer replies by email, the
    /// agent answers, the ticket is solved, the CSAT arrives, and the KPIs reflect exactly those timestamps.
    @Suite struct ServiceCycle {
        static func date(_ value: Any?) throws -> Date {
            let text = try #require(value as? String)
            return try #require(
                ISO8601DateFormatter.withFractions.date(from: text) ?? ISO8601DateFormatter().date(from: text))
        }

        @Test func emailToCSATAndKPIs() async throws {
            try await SuiteProcesses.run { suite in
                let http = suite.http
                let admin = suite.adminKey
                // The team: a delivery group that assigns round-robin, one agent in it, and a macro.
                let group = try await http.request(
                    "PUT", "/v1/groups/delivery", key: admin,
                    json: ["assignment": "round_robin", "categories": ["delivery"]])
                try #require(group.status == 200, "\(group)")
                let agent = try await http.post(
                    "/v1/agents", key: admin,
                    json: ["name": "Grace Hopper", "email": "grace@shop.example", "groups": ["delivery"]])
                try #require(agent.status == 201, "\(agent)")
                let agentID = try #require(agent.string("id"))
                let macro = try await http.post(
                    "/v1/macros", key: admin,
                    json: [
                        "name": "Looking into it",
                        "body":
                            "Hi {{customer.first_name}}, I am checking ticket {{ticket.number}} now. {{agent.name}}",
                    ])
                try #require(macro.status == 200, "\(macro)")
                let macroID = try #require(macro.string("id"))

                // 1. An email arrives from someone Concierge has not met.
                let email = try await http.post(
                    "/v1/channels/email", key: admin,
                    json: [
                        "from": "ada@example.com", "from_name": "Ada Lovelace", "to": "support@shop.example",
                        "subject": "Where is my order?", "text": "My parcel has not arrived yet.",
                        "message_id": "<first-\(UUID().uuidString)@mail.example>",
                    ])
                try #require(email.status == 201, "\(email)")
                #expect(email.string("outcome") == "created")
                let ticketID = try #require(email.string("ticket_id"))
                let customerID = try #require(email.string("customer_id"))
                let found = try await http.get("/v1/customers?email=ada@example.com", key: admin)
                #expect(found.status == 200, "\(found)")

                // 2. Categorised by the rules and assigned round-robin in its group.
                var ticket = try await http.get("/v1/tickets/\(ticketID)", key: admin)
                #expect(ticket.string("category") == "delivery")
                #expect(ticket.string("group") == "delivery")
                #expect(ticket.string("assignee_id")?.lowercased() == agentID.lowercased())
                #expect(ticket.string("status") == "open")
                #expect(ticket.string("customer_id") == customerID)

                // 3. The agent replies with the macro.
                let applied = try await http.post(
                    "/v1/tickets/\(ticketID)/macros/\(macroID)", key: admin, json: [String: Any]())
                try #require(applied.status == 201, "\(applied)")
                let reply = try #require(applied.object?["message"] as? [String: Any])
                let number = try #require(ticket.object?["number"] as? Int)
                #expect(reply["body"] as? String == "Hi Ada, I am checking ticket \(number) now. Grace Hopper")
                let replyMessageID = try #require(reply["external_id"] as? String, "\(reply)")

                // 4. The customer answers that email: it threads onto the ticket by In-Reply-To.
                let answer = try await http.post(
                    "/v1/channels/email", key: admin,
                    json: [
                        "from": "ada@example.com", "to": "support@shop.example", "subject": "Re: Where is my order?",
                        "text": "Thanks, it is order 1001.", "message_id": "<second-\(UUID().uuidString)@mail.example>",
                        "in_reply_to": replyMessageID,
                    ])
                try #require(answer.status == 200, "\(answer)")
                #expect(answer.string("outcome") == "appended")
                #expect(answer.string("ticket_id") == ticketID)

                // 5. The agent answers again and solves the ticket.
                let second = try await http.post(
                    "/v1/tickets/\(ticketID)/messages", key: admin, json: ["body": "Found it: it ships today."])
                try #require(second.status == 201, "\(second)")
                let solved = try await http.post("/v1/tickets/\(ticketID)/solve", key: admin, json: [String: Any]())
                try #require(solved.status == 200, "\(solved)")

                // 6. The CSAT request is published (the mailer would send the link); the customer answers it.
                var token: String?
                try await suite.waitUntil("the CSAT request", timeout: .seconds(60)) {
                    token = try await TestDatabase.scalarText(
                        url: suite.databaseURL,
                        "SELECT payload->>'token' FROM events.log WHERE type = 'feedback.csat_requested'")
                    return token != nil
                }
                let link = "/feedback/csat/\(try #require(token))"
                let survey = try await http.get(link, key: nil)
                #expect(survey.status == 200, "\(survey)")
                let rated = try await http.post(link, key: nil, json: ["rating": 5, "comment": "Quick and kind"])
                #expect(rated.status == 200, "\(rated)")
                // The rating is part of the customer's one history.
                try await suite.waitUntil("the rating on the timeline", timeout: .seconds(60)) {
                    let timeline = try await http.get("/v1/customers/\(customerID)/timeline", key: admin)
                    let items = timeline.object?["items"] as? [[String: Any]] ?? []
                    return items.contains { $0["summary"] as? String == "Rated ticket #\(number): 5/5" }
                }

                // 7. The KPIs over the period are exactly what the timestamps say.
                ticket = try await http.get("/v1/tickets/\(ticketID)", key: admin)
                let created = try Self.date(ticket.object?["created_at"])
                let firstReply = try Self.date(ticket.object?["first_reply_at"])
                let solvedAt = try Self.date(ticket.object?["solved_at"])
                let messages = try #require(ticket.object?["messages"] as? [[String: Any]])
                let customerReply = try Self.date(
                    messages.first { $0["body"] as? String == "Thanks, it is order 1001." }?["created_at"])
                let agentAnswer = try Self.date(
                    messages.first { $0["body"] as? String == "Found it: it ships today." }?["created_at"])
                let format = ISO8601DateFormatter()
                let from = format.string(from: created.addingTimeInterval(-3600))
                let to = format.string(from: Date().addingTimeInterval(3600))
                let kpis = try await http.get("/v1/kpis?from=\(from)&to=\(to)", key: admin)
                try #require(kpis.status == 200, "\(kpis)")
                let overall = try #require(kpis.object?["overall"] as? [String: Any], "\(kpis)")
                func calendarMean(_ name: String) -> Double? {
                    ((overall[name] as? [String: Any])?["calendar"] as? [String: Any])?["mean"] as? Double
                }
                let tolerance = 0.002
                #expect(
                    abs((calendarMean("first_response_time") ?? -1) - firstReply.timeIntervalSince(created)) < tolerance
                )
                #expect(
                    abs((calendarMean("next_reply_time") ?? -1) - agentAnswer.timeIntervalSince(customerReply))
                        < tolerance)
                #expect(
                    abs((calendarMean("full_resolution_time") ?? -1) - solvedAt.timeIntervalSince(created)) < tolerance)
                let fcr = overall["first_contact_resolution"] as? [String: Any]
                #expect(fcr?["count"] as? Int == 0)  // the customer had to write again
                #expect(fcr?["total"] as? Int == 1)
                let csat = overall["csat"] as? [String: Any]
                #expect(csat?["sent"] as? Int == 1)
                #expect(csat?["answered"] as? Int == 1)
                #expect(csat?["score"] as? Double == 1.0)
                #expect(overall["backlog"] as? Int == 0)
            }
        }
    }
}

extension ISO8601DateFormatter {
    /// RFC 3339 with fractional seconds, as the API writes timestamps.
    fileprivate static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
