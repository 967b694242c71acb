import Contracts
import Foundation
import ReturnsService
import ServiceRuntime
import TestSupport
import Testing
import Wire

@Suite("Return lifecycle through the returns router", .enabled(if: TestDatabase.isConfigured))
struct ReturnLifecycleTests {
    typealias F = ReturnsFixture
    static let now: @Sendable () -> Date = { ReturnsFixture.date("2025-03-10T12:00:00Z") }
    static let mug = ShopifyBody.defaultLines[0]  // 2 × MUG-RED at 50.00
    static let tee = ShopifyBody.defaultLines[1]  // 1 × TEE-L at 99.00

    func scalar(_ url: String, _ sql: String) async throws -> Int { try await TestDatabase.scalar(url: url, sql) }

    func act(
        _ returns: OperationRouter, _ operation: String, _ input: some Encodable, principal: Principal = .agent
    ) async throws -> ReturnRequest {
        let reply = try await returns.call(operation, input, principal: principal, key: UUID().uuidString)
        guard reply.status == 200 else { throw TestSetupError("\(operation) answered \(reply.bodyText)") }
        return try reply.decoded(ReturnRequest.self)
    }

    @Test func aSelfServiceReturnGoesFromRequestToConfirmedRefundWithNotesOnItsTicket() async throws {
        try await F.withReturns(now: Self.now) { routers, returns in
            let store = UUID()
            let order = try await F.deliveredOrder(routers, store: store, id: 5_001)
            let customer = try #require(order.customerID)
            let create = CreateReturn(
                customerID: nil, orderReference: nil, reason: "The mug is smaller than pictured",
                lines: [ReturnLine(sku: nil, quantity: 1, platformLineID: Self.mug.id, reason: "size.too_small")],
                orderNumber: "1001", email: "ANN@example.com", reasonCode: "size.too_small", notes: "Gift",
                photos: [ReturnPhoto(url: "https://img.example/mug.jpg", contentType: "image/jpeg")])
            let reply = try await returns.call(
                Operation.Returns.create, create, principal: .customer(customer), key: "k1")
            #expect(reply.status == 201, "\(reply.bodyText)")
            let created = try reply.decoded(ReturnRequest.self)
            #expect(created.status == .approved)
            #expect(created.channel == "self_service")
            #expect(created.orderID == order.id)
            #expect(created.orderReference == "#1001")
            #expect(created.policyName == "default")
            #expect(created.reviewReasons == [])
            #expect(created.photos?.first?.url == "https://img.example/mug.jpg")
            #expect(created.lines.first?.paidMinor == 5_000)
            #expect(created.lines.first?.platformLineID == Self.mug.id)
            let ticketID = try #require(created.ticketID)
            // A retry with the same key replays the answer: one return, one ticket.
            let again = try await returns.call(
                Operation.Returns.create, create, principal: .customer(customer), key: "k1")
            #expect(try again.decoded(ReturnRequest.self).id == created.id)
            #expect(try await scalar(routers.url, "SELECT count(*) FROM returns.returns") == 1)
            #expect(try await scalar(routers.url, "SELECT count(*) FROM tickets.tickets") == 1)

            let labelled = try await act(returns, Operation.Returns.issueLabel, ReturnAction(id: created.id))
            #expect(labelled.status == .labelIssued)
            let tracking = try #require(labelled.trackingNumber)
            #expect(LocalLabelProvider.isValid(tracking))
            let label = try await returns.call(
                Operation.Returns.getLabel, ByID(id: created.id), principal: .customer(customer))
            let document = try label.decoded(ReturnLabel.self)
            #expect(document.contentType == "image/svg+xml")
            #expect(document.document.contains("1 Main St") && document.document.contains("1 Dock Road"))
            #expect(
                try await act(returns, Operation.Returns.markInTransit, MarkReturnInTransit(id: created.id)).status
                    == .inTransit)
            #expect(
                try await act(returns, Operation.Returns.receive, ReturnLinesAction(id: created.id, lines: nil)).status
                    == .received)
            let inspected = try await act(
                returns, Operation.Returns.inspect,
                ReturnLinesAction(id: created.id, lines: [ReturnLineOutcome(lineNo: 1, condition: .restock)]))
            #expect(inspected.lines.first?.condition == .restock)
            let resolved = try await act(
                returns, Operation.Returns.resolve, ResolveReturn(id: created.id, resolution: .refund))
            #expect(resolved.status == .resolved)
            let refund = try #require(resolved.refund)
            #expect(refund.amount == Money(amountMinor: 5_000, currency: "USD"))
            #expect(refund.status == "awaiting_platform")
            #expect(resolved.lines.first?.refundMinor == 5_000)
            #expect(try await act(returns, Operation.Returns.close, ReturnAction(id: created.id)).status == .closed)

            for type in [
                "return.requested", "return.approved", "return.label_issued", "return.received", "return.inspected",
                "return.refunded", "return.closed",
            ] {
                #expect(try await StoreSyncFixture.events(routers.url, type) == 1, "\(type)")
            }
            let payloadText = try #require(
                try await TestDatabase.scalarText(
                    url: routers.url, "SELECT payload::text FROM events.log WHERE type = 'return.refunded'"))
            let payload = try WireJSON.decoder.decode(ReturnEvent.self, from: Data(payloadText.utf8))
            #expect(
                payload.lines == [
                    ReturnEventLine(
                        platformLineID: Self.mug.id, sku: "MUG-RED", quantity: 1, refundMinor: 5_000,
                        reason: "size.too_small",
                        condition: "restock")
                ])
            #expect(payload.refundID == refund.id && payload.resolution == "refund" && payload.ticketID == ticketID)
            #expect(payload.summary.hasPrefix("Refund of 50.00 USD for order #1001 issued"))

            // The platform's webhook for that refund confirms it.
            try await StoreSyncFixture.deliver(
                routers, store: store, topic: "refunds/create",
                body: ShopifyBody.refund(id: 777, orderID: 5_001, amount: "50.00", line: Self.mug))
            try await StoreSyncFixture.sync(routers.url)
            try await F.drain(routers.url)
            let confirmed = try await returns.call(Operation.Returns.get, ByID(id: created.id))
            #expect(try confirmed.decoded(ReturnRequest.self).refund?.status == "confirmed")
            #expect(try confirmed.decoded(ReturnRequest.self).refund?.platformRefundID == 777)

            // The ticket tells the story: one internal note per step.
            let notes = try await scalar(
                routers.url,
                "SELECT count(*) FROM tickets.messages WHERE ticket_id = '\(ticketID)' AND NOT public AND body LIKE '%[return-event %'"
            )
            #expect(notes == 7)
            #expect(
                try await scalar(
                    routers.url,
                    "SELECT count(*) FROM tickets.messages WHERE ticket_id = '\(ticketID)' AND body LIKE 'Return label issued for order #1001: tracking \(tracking)%'"
                )
                    == 1)
            // The timeline shows each step too.
            #expect(
                try await scalar(
                    routers.url,
                    "SELECT count(*) FROM customers.timeline WHERE customer_id = '\(customer)' AND subject_type = 'return'"
                )
                    == 7)

            // A second refund of the same units cannot be asked for: the return is resolved, the units returned.
            let twice = try await returns.call(
                Operation.Returns.resolve, ResolveReturn(id: created.id, resolution: .refund), principal: .agent,
                key: "r2")
            #expect(twice.status == 409 && twice.problem?.code == "illegal_transition")

            let analytics = try await returns.call(
                Operation.Returns.analytics,
                GetReturnAnalytics(
                    from: F.date("2025-06-01T00:00:00Z"), to: F.date("2028-01-01T00:00:00Z"), groupBy: "product"),
                principal: .agent)
            #expect(analytics.status == 200, "\(analytics.bodyText)")
            let numbers = try analytics.decoded(ReturnAnalytics.self)
            #expect(
                numbers.overall.unitsSold == 3 && numbers.overall.unitsReturned == 1 && numbers.overall.returns == 1)
            #expect(numbers.overall.refundedMinor == 5_000 && numbers.overall.soldMinor == 19_900)
            #expect(numbers.overall.meanSecondsToRefund != nil)
            #expect(numbers.groups.first { $0.key == "MUG-RED" }?.returnRate == 0.5)
            #expect(numbers.groups.first { $0.key == "TEE-L" }?.unitsReturned == 0)
            #expect(numbers.topReasons == [ReasonCount(reason: "size.too_small", lines: 1)])
        }
    }

    @Test func illegalMovesAreRefusedWithTheRuleAndChangeNothing() async throws {
        try await F.withReturns(now: Self.now) { routers, returns in
            let store = UUID()
            var manual = PutReturnPolicy(ReturnPolicy(id: UUID(), name: "by hand", storeID: store, autoApprove: false))
            manual.allowedOutcomes = [.refund, .exchange]
            #expect(
                try await returns.call(Operation.Returns.putPolicy, manual, principal: .agent, key: "p").status == 200)
            let order = try await F.deliveredOrder(routers, store: store, id: 5_002)
            let customer = try #require(order.customerID)
            let lines = [ReturnLine(sku: "TEE-L", quantity: 1)]
            let reply = try await returns.call(
                Operation.Returns.create,
                CreateReturn(
                    customerID: nil, orderReference: nil, reason: nil, lines: lines, orderID: order.id,
                    reasonCode: "style.color"),
                principal: .agent, key: "c1")
            #expect(reply.status == 201, "\(reply.bodyText)")
            let request = try reply.decoded(ReturnRequest.self)
            #expect(request.status == .requested)
            #expect(request.reviewReasons == ["policy by hand approves returns by hand"])
            let queue = try await returns.call(Operation.Returns.reviewQueue, ListReturns(), principal: .agent)
            #expect(try queue.decoded(ReturnPage.self).items.map(\.id) == [request.id])
            #expect(
                try await returns.call(Operation.Returns.reviewQueue, ListReturns(), principal: .customer(customer))
                    .status == 403)

            let early = try await returns.call(
                Operation.Returns.receive, ReturnLinesAction(id: request.id, lines: nil), principal: .agent, key: "x1")
            #expect(early.status == 409)
            #expect(early.problem?.code == "illegal_transition")
            #expect(
                early.problem?.detail
                    == "the return is requested and cannot become received: a return is received only after approval, and once"
            )
            let byCustomer = try await returns.call(
                Operation.Returns.approve, ReturnAction(id: request.id), principal: .customer(customer), key: "x2")
            #expect(byCustomer.status == 403)
            let noReason = try await returns.call(
                Operation.Returns.decline, ReturnReasonAction(id: request.id, reason: nil), principal: .agent, key: "x3"
            )
            #expect(noReason.status == 422)
            let stranger = try await returns.call(
                Operation.Returns.cancel, ReturnReasonAction(id: request.id, reason: nil), principal: .customer(UUID()),
                key: "x4")
            #expect(stranger.status == 404)
            #expect(
                try await scalar(
                    routers.url, "SELECT count(*) FROM returns.transitions WHERE return_id = '\(request.id)'") == 1)

            let approved = try await act(returns, Operation.Returns.approve, ReturnAction(id: request.id))
            #expect(approved.status == .approved)
            let _ = try await act(returns, Operation.Returns.issueLabel, ReturnAction(id: request.id))
            let relabel = try await returns.call(
                Operation.Returns.issueLabel, ReturnAction(id: request.id), principal: .agent, key: "x5")
            #expect(relabel.status == 409)
            let _ = try await act(returns, Operation.Returns.receive, ReturnLinesAction(id: request.id, lines: nil))
            let late = try await returns.call(
                Operation.Returns.cancel, ReturnReasonAction(id: request.id, reason: "changed my mind"),
                principal: .customer(customer), key: "x6")
            #expect(late.status == 409)
            #expect(late.problem?.detail?.contains("a return can be cancelled only before it is received") == true)
            let unresolved = try await returns.call(
                Operation.Returns.resolve, ResolveReturn(id: request.id, resolution: .refund), principal: .agent,
                key: "x7")
            #expect(unresolved.status == 409)
            let incomplete = try await returns.call(
                Operation.Returns.inspect, ReturnLinesAction(id: request.id, lines: []), principal: .agent, key: "x8")
            #expect(incomplete.status == 422)
            let badLine = try await returns.call(
                Operation.Returns.inspect,
                ReturnLinesAction(id: request.id, lines: [ReturnLineOutcome(lineNo: 9, condition: .damaged)]),
                principal: .agent, key: "x9")
            #expect(badLine.status == 422)
            let _ = try await act(
                returns, Operation.Returns.inspect,
                ReturnLinesAction(id: request.id, lines: [ReturnLineOutcome(lineNo: 1, condition: .damaged)]))
            let credit = try await returns.call(
                Operation.Returns.resolve, ResolveReturn(id: request.id, resolution: .storeCredit), principal: .agent,
                key: "x10")
            #expect(credit.status == 409 && credit.problem?.code == "outcome_not_allowed")
            let tooMuch = try await returns.call(
                Operation.Returns.resolve,
                ResolveReturn(
                    id: request.id, resolution: .refund, lines: [ReturnLineOutcome(lineNo: 1, refundMinor: 9_901)]),
                principal: .agent, key: "x11")
            #expect(tooMuch.status == 422)
            let partial = try await act(
                returns, Operation.Returns.resolve,
                ResolveReturn(
                    id: request.id, resolution: .refund, lines: [ReturnLineOutcome(lineNo: 1, refundMinor: 4_000)]))
            #expect(partial.refund?.amount.amountMinor == 4_000)
            #expect(partial.lines.first?.refundMinor == 4_000)
            #expect(try await scalar(routers.url, "SELECT count(*) FROM returns.refunds") == 1)

            // Another return of the same order: declined, then nothing moves it.
            let second = try await returns.call(
                Operation.Returns.create,
                CreateReturn(
                    customerID: nil, orderReference: nil, reason: "meh",
                    lines: [ReturnLine(sku: "MUG-RED", quantity: 2)], orderID: order.id),
                principal: .agent, key: "c2")
            let other = try second.decoded(ReturnRequest.self)
            let declined = try await act(
                returns, Operation.Returns.decline, ReturnReasonAction(id: other.id, reason: "Used item"))
            #expect(declined.status == .declined && declined.declineReason == "Used item")
            for operation in [Operation.Returns.approve, Operation.Returns.close] {
                let refused = try await returns.call(
                    operation, ReturnAction(id: other.id), principal: .agent, key: UUID().uuidString)
                #expect(refused.status == 409, "\(operation)")
            }
            #expect(try await StoreSyncFixture.events(routers.url, "return.declined") == 1)
        }
    }

    @Test func requestsOutsideTheRulesAreRefusedInWords() async throws {
        try await F.withReturns(now: { ReturnsFixture.date("2025-04-10T12:00:00Z") }) { routers, returns in
            let store = UUID()
            let order = try await F.deliveredOrder(routers, store: store, id: 5_003)
            let customer = try #require(order.customerID)
            func create(
                _ lines: [ReturnLine], principal: Principal = .agent, number: String? = nil, email: String? = nil
            ) async throws -> ReplyEnvelope {
                try await returns.call(
                    Operation.Returns.create,
                    CreateReturn(
                        customerID: nil, orderReference: nil, reason: "r", lines: lines,
                        orderID: number == nil ? order.id : nil, orderNumber: number, email: email),
                    principal: principal, key: UUID().uuidString)
            }
            // Delivered 4 March: the 30 days ended with 3 April.
            let late = try await create([ReturnLine(sku: "MUG-RED", quantity: 1)])
            #expect(late.status == 422)
            #expect(
                late.problem?.errors?.first?.message
                    == "Outside the 30-day window since delivery on 4 March 2025 (the last day was 3 April 2025).")
            let eligibility = try await returns.call(
                Operation.Returns.eligibility, CheckReturnEligibility(orderNumber: "#1001", email: "ann@example.com"),
                principal: .customer(customer))
            #expect(
                try eligibility.decoded(ReturnEligibility.self).lines.map(\.rule) == ["window_closed", "window_closed"])
            #expect(try await scalar(routers.url, "SELECT count(*) FROM returns.returns") == 0)
            #expect(try await scalar(routers.url, "SELECT count(*) FROM tickets.tickets") == 0)

            // A longer policy: now in time, but not for more units than bought, nor twice.
            let long = ReturnPolicy(id: UUID(), name: "90 days", storeID: store, windowDays: 90)
            _ = try await returns.call(Operation.Returns.putPolicy, PutReturnPolicy(long), principal: .agent, key: "p")
            let many = try await create([ReturnLine(sku: "MUG-RED", quantity: 3)])
            #expect(many.problem?.errors?.map(\.field) == ["lines[0].quantity"])
            #expect(try await create([ReturnLine(sku: "MUG-RED", quantity: 2)]).status == 201)
            let twice = try await create([ReturnLine(sku: "MUG-RED", quantity: 1)])
            #expect(twice.status == 422)
            #expect(twice.problem?.errors?.first?.message.contains("0 refunded and 2 in open returns") == true)
            let unknownLine = try await create([ReturnLine(sku: nil, quantity: 1, platformLineID: 42)])
            #expect(unknownLine.problem?.errors?.first?.message == "order #1001 has no such line")
            let wrongEmail = try await create(
                [ReturnLine(sku: "TEE-L", quantity: 1)], principal: .customer(customer), number: "#1001",
                email: "bob@example.com")
            #expect(wrongEmail.status == 422 && wrongEmail.problem?.errors?.first?.field == "order_number")
            let stranger = try await create([ReturnLine(sku: "TEE-L", quantity: 1)], principal: .customer(UUID()))
            #expect(stranger.status == 422 || stranger.status == 403)
            let badReason = try await returns.call(
                Operation.Returns.create,
                json: #"{"order_id":"\#(order.id)","reason_code":"size.tiny","lines":[{"sku":"TEE-L","quantity":1}]}"#,
                principal: .agent, key: "b1")
            #expect(badReason.status == 422 && badReason.problem?.errors?.map(\.field) == ["reason_code"])
            let unknownField = try await returns.call(
                Operation.Returns.create, json: #"{"order_id":"\#(order.id)","lines":[{"sku":"TEE-L","qty":1}]}"#,
                principal: .agent, key: "b2")
            #expect(unknownField.status == 422 || unknownField.status == 400)
            #expect(try await scalar(routers.url, "SELECT count(*) FROM returns.returns") == 1)
        }
    }

    @Test func racingRefundsNeverGiveBackMoreThanIsLeft() async throws {
        try await F.withReturns(now: Self.now) { routers, returns in
            let store = UUID()
            let cup = ShopifyBody.Line(id: 31, sku: "CUP", quantity: 10, price: "10.00")
            // Paid 100.00; the platform already refunded 55.00 (one cup and a goodwill amount): 45.00 left.
            let order = try await F.deliveredOrder(
                routers, store: store, id: 5_004, lines: [cup], total: "100.00",
                refunds: [ShopifyBody.refund(id: 5, orderID: 5_004, amount: "55.00", line: cup)])
            #expect(order.refunded.amountMinor == 5_500)
            var ids: [UUID] = []
            for n in 0..<9 {
                let reply = try await returns.call(
                    Operation.Returns.create,
                    CreateReturn(
                        customerID: nil, orderReference: nil, reason: "r", lines: [ReturnLine(sku: "CUP", quantity: 1)],
                        orderID: order.id),
                    principal: .agent, key: "c\(n)")
                let request = try reply.decoded(ReturnRequest.self)
                #expect(request.lines.first?.paidMinor == 1_000)
                _ = try await act(returns, Operation.Returns.receive, ReturnLinesAction(id: request.id, lines: nil))
                _ = try await act(
                    returns, Operation.Returns.inspect,
                    ReturnLinesAction(id: request.id, lines: [ReturnLineOutcome(lineNo: 1, condition: .restock)]))
                ids.append(request.id)
            }
            let tenth = try await returns.call(
                Operation.Returns.create,
                CreateReturn(
                    customerID: nil, orderReference: nil, reason: "r", lines: [ReturnLine(sku: "CUP", quantity: 1)],
                    orderID: order.id),
                principal: .agent, key: "c10")
            #expect(tenth.status == 422)  // 10 bought, 1 refunded, 9 in returns
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for id in ids {
                    group.addTask {
                        let reply = try await returns.call(
                            Operation.Returns.resolve, ResolveReturn(id: id, resolution: .refund), principal: .agent,
                            key: "resolve-\(id)")
                        return (reply.status, reply.problem?.code)
                    }
                }
                var all: [(Int, String?)] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.filter { $0.0 == 200 }.count == 4)
            #expect(statuses.filter { $0.0 == 409 && $0.1 == "refund_exceeds_remaining" }.count == 5)
            #expect(
                try await scalar(routers.url, "SELECT coalesce(sum(amount_minor), 0)::int FROM returns.refunds")
                    == 4_000)
            #expect(try await StoreSyncFixture.events(routers.url, "return.refunded") == 4)

            try await F.drain(routers.url)
            let analytics = try await returns.call(
                Operation.Returns.analytics,
                GetReturnAnalytics(
                    from: F.date("2025-06-01T00:00:00Z"), to: F.date("2028-01-01T00:00:00Z"), groupBy: "customer"),
                principal: .agent)
            #expect(analytics.status == 200, "\(analytics.bodyText)")
            let numbers = try analytics.decoded(ReturnAnalytics.self)
            #expect(numbers.unusualCustomers.map(\.customerID) == [order.customerID].compactMap { $0 })
            #expect(numbers.unusualCustomers.first?.why == "9 returns, 9 units sent back of 10 bought (90 %)")
        }
    }
}
