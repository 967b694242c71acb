import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// The lifecycle moves other than creation and resolution: approve, decline, cancel, issue_label,
/// mark_in_transit, receive, inspect, close. Each locks the return, checks the move against `ReturnLifecycle`
/// (409 `illegal_transition` naming the rule), writes it with its history entry and publishes its event.
enum TransitionOperations {
    static func register(_ router: inout OperationRouter, _ database: Database, dependencies: ReturnsDependencies) {
        let repository = PostgresReturnRepository()

        router.command(Operation.Returns.approve, ReturnAction.self, status: 200) { input, context, connection in
            try context.requireStaff()
            let (request, policy) = try await locked(input.id, context: context, on: connection)
            try ReturnLifecycle.check(from: request.status, to: .approved)
            let after = try await move(request, to: .approved, note: input.note, context: context, on: connection)
            let by = policy.map { " (policy: \($0.name))" } ?? ""
            try await context.record(
                try ReturnEvents.event(
                    EventType.returnApproved, after,
                    summary: "Return for \(ReturnEvents.order(after)) approved by an agent\(by)"),
                on: connection)
            return after
        }

        router.command(Operation.Returns.decline, ReturnReasonAction.self, status: 200) { input, context, connection in
            try context.requireStaff()
            guard let reason = input.reason else {
                throw Problem.validation([
                    .init(field: "reason", message: "a decline needs a reason the customer will read")
                ])
            }
            let (request, _) = try await locked(input.id, context: context, on: connection)
            try ReturnLifecycle.check(from: request.status, to: .declined)
            try await connection.query(
                "UPDATE returns.returns SET decline_reason = \(reason) WHERE id = \(request.id)", logger: context.logger
            )
            let after = try await move(request, to: .declined, note: reason, context: context, on: connection)
            try await context.record(
                try ReturnEvents.event(
                    EventType.returnDeclined, after,
                    summary: "Return for \(ReturnEvents.order(after)) declined: \(reason)",
                    reason: reason),
                on: connection)
            return after
        }

        router.command(Operation.Returns.cancel, ReturnReasonAction.self, status: 200) { input, context, connection in
            let (request, _) = try await locked(input.id, context: context, on: connection)
            try ReturnLifecycle.check(from: request.status, to: .cancelled)
            let reason =
                input.reason ?? (context.principal.role == .customer ? "cancelled by the customer" : "cancelled")
            try await connection.query(
                "UPDATE returns.returns SET cancel_reason = \(reason) WHERE id = \(request.id)", logger: context.logger)
            let after = try await move(request, to: .cancelled, note: reason, context: context, on: connection)
            try await context.record(
                try ReturnEvents.event(
                    EventType.returnCancelled, after,
                    summary: "Return for \(ReturnEvents.order(after)) cancelled: \(reason)",
                    reason: reason),
                on: connection)
            return after
        }

        router.command(
            Operation.Returns.issueLabel, ReturnAction.self, status: 200,
            prepare: { input, context -> PostalAddress? in
                try context.requireStaff()
                let request = try await database.withConnection {
                    try await repository.find(id: input.id, on: $0, logger: context.logger)
                }
                guard let orderID = request?.orderID else { return nil }
                return try await dependencies.orders.order(id: orderID, context: context).shippingAddress
            }
        ) { input, address, context, connection in
            let (request, _) = try await locked(input.id, context: context, on: connection)
            try ReturnLifecycle.check(from: request.status, to: .labelIssued)
            let serial = try await nextSerial(on: connection, logger: context.logger)
            let label = try await dependencies.labels.label(
                for: LabelRequest(
                    returnID: request.id, orderNumber: request.orderReference, from: address ?? nil,
                    to: dependencies.returnAddress, serial: serial))
            try await connection.query(
                """
                INSERT INTO returns.labels (return_id, carrier, tracking_number, content_type, document)
                VALUES (\(request.id), \(label.carrier), \(label.trackingNumber), \(label.contentType), \(label.document))
                """, logger: context.logger)
            try await connection.query(
                "UPDATE returns.returns SET tracking_number = \(label.trackingNumber) WHERE id = \(request.id)",
                logger: context.logger)
            let after = try await move(request, to: .labelIssued, note: input.note, context: context, on: connection)
            try await context.record(
                try ReturnEvents.event(
                    EventType.returnLabelIssued, after,
                    summary: "Return label issued for \(ReturnEvents.order(after)): tracking \(label.trackingNumber)"),
                on: connection)
            return after
        }

        router.command(Operation.Returns.markInTransit, MarkReturnInTransit.self, status: 200) {
            input, context, connection in
            let (request, _) = try await locked(input.id, context: context, on: connection)
            try ReturnLifecycle.check(from: request.status, to: .inTransit)
            if let tracking = input.trackingNumber {
                try await connection.query(
                    "UPDATE returns.returns SET tracking_number = \(tracking) WHERE id = \(request.id)",
                    logger: context.logger)
            }
            // No event of its own in the contracts: the move is in the return's history.
            return try await move(request, to: .inTransit, note: input.trackingNumber, context: context, on: connection)
        }

        router.command(Operation.Returns.receive, ReturnLinesAction.self, status: 200) { input, context, connection in
            try context.requireStaff()
            let (request, _) = try await locked(input.id, context: context, on: connection)
            try ReturnLifecycle.check(from: request.status, to: .received)
            let outcomes = try byLine(input.lines ?? [], of: request)
            var received: [ReturnEventLine] = []
            for line in request.lines {
                guard let number = line.lineNo else { continue }
                let quantity = outcomes[number]?.quantity ?? line.quantity
                guard quantity <= line.quantity else {
                    throw Problem.validation([
                        .init(
                            field: "lines",
                            message: "line \(number) was asked back for \(line.quantity) units, not \(quantity)")
                    ])
                }
                try await connection.query(
                    """
                    UPDATE returns.return_lines SET received_quantity = \(quantity)
                    WHERE return_id = \(request.id) AND line_no = \(number)
                    """, logger: context.logger)
                received.append(
                    ReturnEventLine(
                        platformLineID: line.platformLineID, sku: line.sku, quantity: quantity,
                        reason: line.reason ?? request.reasonCode))
            }
            let after = try await move(request, to: .received, note: input.note, context: context, on: connection)
            let units = received.reduce(0) { $0 + $1.quantity }
            try await context.record(
                try ReturnEvents.event(
                    EventType.returnReceived, after,
                    summary:
                        "Return for \(ReturnEvents.order(after)) received at the warehouse: \(ReturnEvents.items(units))",
                    lines: received),
                on: connection)
            return after
        }

        router.command(Operation.Returns.inspect, ReturnLinesAction.self, status: 200) { input, context, connection in
            try context.requireStaff()
            let (request, _) = try await locked(input.id, context: context, on: connection)
            try ReturnLifecycle.check(from: request.status, to: .inspected)
            let outcomes = try byLine(input.lines ?? [], of: request)
            var counts: [ReturnedItemCondition: Int] = [:]
            for line in request.lines {
                guard let number = line.lineNo else { continue }
                guard let condition = outcomes[number]?.condition else {
                    throw Problem.validation([
                        .init(field: "lines", message: "give the condition of every line; line \(number) has none")
                    ])
                }
                counts[condition, default: 0] += line.quantity
                try await connection.query(
                    """
                    UPDATE returns.return_lines SET condition = \(condition.rawValue)
                    WHERE return_id = \(request.id) AND line_no = \(number)
                    """, logger: context.logger)
            }
            let after = try await move(request, to: .inspected, note: input.note, context: context, on: connection)
            let found = ReturnedItemCondition.allCases.compactMap { condition in
                counts[condition].map { "\($0) \(condition.rawValue.replacingOccurrences(of: "_", with: " "))" }
            }
            try await context.record(
                try ReturnEvents.event(
                    EventType.returnInspected, after,
                    summary: "Return for \(ReturnEvents.order(after)) inspected: \(found.joined(separator: ", "))"),
                on: connection)
            return after
        }

        router.command(Operation.Returns.close, ReturnAction.self, status: 200) { input, context, connection in
            try context.requireStaff()
            let (request, _) = try await locked(input.id, context: context, on: connection)
            try ReturnLifecycle.check(from: request.status, to: .closed)
            let after = try await move(request, to: .closed, note: input.note, context: context, on: connection)
            try await context.record(
                try ReturnEvents.event(
                    EventType.returnClosed, after, summary: "Return for \(ReturnEvents.order(after)) closed"),
                on: connection)
            return after
        }
    }

    /// The return `id` locked, after the caller's right to it is checked (a customer key: its own only).
    static func locked(_ id: UUID, context: OperationContext, on connection: PostgresConnection) async throws
        -> (ReturnRequest, ReturnPolicy?)
    {
        guard let found = try await PostgresReturnRepository().lock(id: id, on: connection, logger: context.logger)
        else {
            throw Problem.notFound("no return with id \(id)")
        }
        if context.principal.role == .customer, context.principal.customerID != found.0.customerID {
            throw Problem.notFound("no return with id \(id)")
        }
        return found
    }

    /// Moves and re-reads the return.
    static func move(
        _ request: ReturnRequest, to status: ReturnStatus, note: String?, context: OperationContext,
        on connection: PostgresConnection
    ) async throws -> ReturnRequest {
        let repository = PostgresReturnRepository()
        let actor = context.principal.keyID ?? context.principal.role.rawValue
        try await repository.move(request, to: status, actor: actor, note: note, on: connection, logger: context.logger)
        guard let after = try await repository.find(id: request.id, on: connection, logger: context.logger) else {
            throw Problem.internal("return \(request.id) vanished")
        }
        return after
    }

    /// The outcomes by line number, each naming a line of the return.
    static func byLine(_ outcomes: [ReturnLineOutcome], of request: ReturnRequest) throws -> [Int: ReturnLineOutcome] {
        let numbers = Set(request.lines.compactMap(\.lineNo))
        for (index, outcome) in outcomes.enumerated() where !numbers.contains(outcome.lineNo) {
            throw Problem.validation([
                .init(field: "lines[\(index)].line_no", message: "the return has no line \(outcome.lineNo)")
            ])
        }
        return Dictionary(outcomes.map { ($0.lineNo, $0) }, uniquingKeysWith: { first, _ in first })
    }

    static func nextSerial(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query("SELECT nextval('returns.label_serial')", logger: logger)
        for try await serial in rows.decode(Int64.self) { return serial }
        throw Problem.internal("no label serial")
    }
}
