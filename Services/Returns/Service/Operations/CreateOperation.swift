import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `returns.create`: a return request from self-service or an agent.
///
/// Outside the transaction (`prepare`): the mirrored order from the customers service, the policies and, when a
/// policy needs them, the customer's tags; a first eligibility check (so an ineligible request opens no ticket);
/// then the ticket, opened over the broker when the request names none, under a key derived from the request's
/// own, so a retry finds the same ticket. Inside: the order's ledger row is locked, so two requests for the same
/// order are decided one after the other, eligibility is checked again against the returns committed so far, and
/// the return is written with `return.requested` (and `return.approved` when the policy approves it by itself).
enum CreateOperation {
    struct Prepared: Sendable {
        var order: Order?
        var resolver: PolicyResolver
        var tags: [String]
        var customerID: UUID
        var ticketID: UUID?
        var channel: String
    }

    static func register(_ router: inout OperationRouter, _ database: Database, dependencies: ReturnsDependencies) {
        let repository = PostgresReturnRepository()
        router.command(
            Operation.Returns.create, CreateReturn.self,
            prepare: { input, context in
                try await prepare(input, database: database, dependencies: dependencies, context: context)
            }
        ) { input, prepared, context, connection in
            guard let order = prepared.order else {
                // An order the suite does not mirror: the original shape, always reviewed by an agent.
                var legacy = input
                legacy.customerID = prepared.customerID
                legacy.ticketID = prepared.ticketID
                let request = try await repository.create(legacy, on: connection, logger: context.logger)
                try await context.record(try requested(request), on: connection)
                return request
            }
            return try await create(
                input, order: order, prepared: prepared, dependencies: dependencies, context: context,
                on: connection)
        }
    }

    static func requested(_ request: ReturnRequest) throws -> NewEvent {
        try NewEvent(
            type: EventType.returnRequested, aggregateType: "return", aggregateID: request.id.uuidString,
            payload: ReturnRequested(request))
    }

    // MARK: - Outside the transaction

    static func prepare(
        _ input: CreateReturn, database: Database, dependencies: ReturnsDependencies, context: OperationContext
    ) async throws -> Prepared {
        let channel = context.principal.role == .customer || input.orderNumber != nil ? "self_service" : "agent"
        guard input.orderID != nil || input.orderNumber != nil else {
            guard let customerID = input.customerID else { throw Problem.internal("validated input lost customer_id") }
            try context.authorize(customerID: customerID)
            try await CustomerDirectory.requireBrief(customerID, context: context)
            // An order the suite does not mirror: the return joins the ticket it names, or a new one, like any other
            // (docs/returns.md "Tickets"); an agent reviews it.
            let ticket = try await ticket(
                for: input, customerID: customerID, orderNumber: input.orderReference ?? "", channel: channel,
                dependencies: dependencies, context: context)
            return Prepared(
                order: nil, resolver: PolicyResolver(policies: []), tags: [], customerID: customerID,
                ticketID: ticket, channel: channel)
        }
        let order = try await fetchOrder(input, dependencies: dependencies, context: context)
        guard let customerID = order.customerID ?? input.customerID else {
            throw Problem.validation([
                .init(field: "order_id", message: "order \(order.number) has no customer record; an agent can help")
            ])
        }
        if let given = input.customerID, given != customerID {
            throw Problem.validation([
                .init(field: "customer_id", message: "order \(order.number) belongs to another customer")
            ])
        }
        try context.authorize(customerID: customerID)
        let (resolver, tags) = try await PolicyOperations.resolver(
            for: order, database: database, dependencies: dependencies, context: context)
        let returned = try await database.withConnection { connection in
            try await PostgresReturnRepository().returnedUnits(
                orderID: order.id, on: connection, logger: context.logger)
        }
        let eligibility = Eligibility(
            order: order, resolver: resolver, customerTags: tags, alreadyReturned: returned, now: dependencies.now())
        _ = try match(input, order: order, eligibility: eligibility)
        let ticket = try await ticket(
            for: input, customerID: customerID, orderNumber: order.number, channel: channel,
            dependencies: dependencies, context: context)
        return Prepared(
            order: order, resolver: resolver, tags: tags, customerID: customerID, ticketID: ticket, channel: channel)
    }

    static func fetchOrder(
        _ input: CreateReturn, dependencies: ReturnsDependencies, context: OperationContext
    ) async throws -> Order {
        do {
            if let id = input.orderID { return try await dependencies.orders.order(id: id, context: context) }
            return try await dependencies.orders.order(
                number: input.orderNumber ?? "", email: input.email ?? "", context: context)
        } catch let problem as Problem where problem.status == 404 || problem.status == 403 {
            let field = input.orderID != nil ? "order_id" : "order_number"
            let message =
                input.orderID != nil
                ? "no order with id \(input.orderID?.uuidString ?? "")"
                : "no order with this number and email"
            throw Problem.validation([.init(field: field, message: message)])
        }
    }

    /// The ticket the return joins: the one named, or a new one (nil without a helpdesk to ask).
    static func ticket(
        for input: CreateReturn, customerID: UUID, orderNumber: String, channel: String,
        dependencies: ReturnsDependencies, context: OperationContext
    ) async throws -> UUID? {
        if let ticketID = input.ticketID { return ticketID }
        let number = orderNumber.isEmpty ? "" : " \(orderNumber)"
        let reasonText =
            input.reason ?? input.reasonCode.flatMap { ReturnReasons.reason($0)?.label } ?? "Return requested"
        let message = [reasonText, input.notes].compactMap { $0 }.joined(separator: "\n\n")
        let create = CreateTicket(
            customerID: customerID, subject: "Return request for order\(number)", message: message,
            channel: channel == "self_service" ? .selfService : .api, category: "returns", tags: ["return"],
            orderReference: orderNumber.isEmpty ? nil : String(orderNumber.prefix(64)))
        // The request's key when it has one; otherwise the request itself, so that the same request retried
        // without a key still finds its ticket.
        let key: String
        if let requestKey = context.metadata.idempotencyKey {
            key = "\(requestKey)/returns.ticket"
        } else {
            let body = Array(try WireJSON.encoder.encode(input)) + Array(customerID.uuidString.utf8)
            key =
                "returns.ticket/"
                + IdempotencyStore.requestHash(operation: Operation.Returns.create, payload: body)
                .map { String(format: "%02x", $0) }.joined()
        }
        return try await dependencies.tickets.open(create, idempotencyKey: key, context: context)
    }

    /// The order line of each requested line, checked against eligibility: a 422 naming every line that cannot
    /// be returned, in the words of the rule.
    static func match(_ input: CreateReturn, order: Order, eligibility: Eligibility) throws
        -> [(ReturnLine, OrderLine, LineEligibility)]
    {
        var issues: [Problem.FieldError] = []
        var matched: [(ReturnLine, OrderLine, LineEligibility)] = []
        for (index, line) in input.lines.enumerated() {
            let orderLine =
                line.platformLineID.flatMap { id in order.lines.first { $0.platformLineID == id } }
                ?? (line.platformLineID == nil
                    ? line.sku.flatMap { sku in order.lines.first { $0.sku?.lowercased() == sku.lowercased() } } : nil)
            guard let orderLine else {
                issues.append(.init(field: "lines[\(index)]", message: "order \(order.number) has no such line"))
                continue
            }
            let answer = eligibility.evaluate(orderLine)
            if !answer.eligible {
                issues.append(.init(field: "lines[\(index)]", message: answer.explanation))
            } else if line.quantity > answer.returnable {
                issues.append(
                    .init(
                        field: "lines[\(index)].quantity",
                        message: "at most \(answer.returnable) unit\(answer.returnable == 1 ? "" : "s") of"
                            + " \(orderLine.title) can be returned"))
            } else {
                matched.append((line, orderLine, answer))
            }
        }
        if Set(matched.map(\.1.platformLineID)).count != matched.count {
            issues.append(.init(field: "lines", message: "each order line may appear once; combine quantities"))
        }
        guard issues.isEmpty else { throw Problem.validation(issues) }
        return matched
    }

    // MARK: - Inside the transaction

    static func create(
        _ input: CreateReturn, order: Order, prepared: Prepared, dependencies: ReturnsDependencies,
        context: OperationContext, on connection: PostgresConnection
    ) async throws -> ReturnRequest {
        let logger = context.logger
        let repository = PostgresReturnRepository()
        try await OrderLedger.lock(order, on: connection, logger: logger)
        let returned = try await repository.returnedUnits(orderID: order.id, on: connection, logger: logger)
        let now = dependencies.now()
        let eligibility = Eligibility(
            order: order, resolver: prepared.resolver, customerTags: prepared.tags, alreadyReturned: returned, now: now)
        let matched: [(ReturnLine, OrderLine, LineEligibility)]
        do {
            matched = try match(input, order: order, eligibility: eligibility)
        } catch let problem as Problem where problem.status == 422 {
            // Valid when prepared, not any more: another return of the order committed in between.
            throw Problem.conflict(
                "another return of order \(order.number) took these units meanwhile: "
                    + (problem.errors?.map(\.message).joined(separator: "; ") ?? ""),
                code: "already_returned")
        }
        var lines: [ReturnLine] = []
        var value: Int64 = 0
        for (index, (line, orderLine, _)) in matched.enumerated() {
            let before =
                ReturnWindows.refundedUnits(of: orderLine, in: order) + (returned[orderLine.platformLineID] ?? 0)
            let paid = RefundArithmetic.paid(for: orderLine, units: line.quantity, before: before)
            value += paid
            lines.append(
                ReturnLine(
                    sku: orderLine.sku, quantity: line.quantity, platformLineID: orderLine.platformLineID,
                    reason: line.reason ?? input.reasonCode, lineNo: index + 1, title: orderLine.title, paidMinor: paid)
            )
        }
        let policies = matched.map { eligibility.policy(of: $0.1) }
        let policy = policies.first ?? .builtIn
        var review: [String] = []
        for manual in policies where !manual.autoApprove {
            review.append("policy \(manual.name) approves returns by hand")
        }
        if matched.contains(where: { $0.2.rule == "exchange_only" }) {
            review.append("a line is past its window and only exchangeable")
        }
        let since = now.addingTimeInterval(-Double(policy.periodDays) * 86_400)
        let (count, asked) = try await repository.customerActivity(
            prepared.customerID, since: since, on: connection, logger: logger)
        if let limit = policy.maxReturnsPerPeriod, count + 1 > limit {
            review.append("\(count + 1) returns in \(policy.periodDays) days is over the limit of \(limit)")
        }
        if let limit = policy.maxReturnValueMinorPerPeriod, asked + value > limit {
            let total = MoneyText.format(Money(amountMinor: asked + value, currency: order.total.currency))
            let cap = MoneyText.format(Money(amountMinor: limit, currency: order.total.currency))
            review.append("\(total) asked back in \(policy.periodDays) days is over the limit of \(cap)")
        }
        var request = try await repository.insert(
            NewReturn(
                id: UUID(), customerID: prepared.customerID, orderID: order.id, storeID: order.storeID,
                currency: order.total.currency, orderReference: input.orderReference ?? order.number,
                reason: input.reason ?? input.reasonCode.flatMap { ReturnReasons.reason($0)?.label } ?? "",
                reasonCode: input.reasonCode, notes: input.notes, photos: input.photos ?? [],
                channel: prepared.channel, ticketID: prepared.ticketID, policy: policy, reviewReasons: review,
                lines: lines),
            on: connection, logger: logger)
        try await context.record(try requested(request), on: connection)
        guard review.isEmpty else { return request }
        try await repository.move(
            request, to: .approved, actor: "policy", note: "approved automatically", on: connection, logger: logger)
        guard let approved = try await repository.find(id: request.id, on: connection, logger: logger) else {
            throw Problem.internal("approved return vanished")
        }
        request = approved
        try await context.record(
            try ReturnEvents.event(
                EventType.returnApproved, request,
                summary: "Return for \(ReturnEvents.order(request)) approved automatically (policy: \(policy.name))"),
            on: connection)
        return request
    }
}

/// The per-order row whose lock serialises returns and refunds of one mirrored order.
enum OrderLedger {
    /// Creates the order's ledger row if needed and locks it until the transaction ends.
    static func lock(_ order: Order, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO returns.order_ledgers (order_id, currency, paid_minor)
            VALUES (\(order.id), \(order.total.currency), \(order.total.amountMinor))
            ON CONFLICT (order_id) DO UPDATE SET paid_minor = EXCLUDED.paid_minor
            """, logger: logger)
        try await connection.query(
            "SELECT 1 FROM returns.order_ledgers WHERE order_id = \(order.id) FOR UPDATE", logger: logger)
    }
}
