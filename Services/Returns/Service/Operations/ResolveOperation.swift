import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceRuntime
import Wire

/// `returns.resolve`: refund, store credit, exchange or replacement of an inspected return.
///
/// The refundable amount is checked under the order's ledger lock: what the order was paid, minus what the
/// platform has refunded (the mirrored order's refunds, or those `order.refunded` reported, whichever is more),
/// minus what this service has given back and the platform has not confirmed yet. Two resolutions of the same
/// order therefore decide one after the other, and the second sees the first. A return resolves once (the
/// refund row is unique per return); the request's idempotency key makes its retry replay the answer.
enum ResolveOperation {
    static func register(_ router: inout OperationRouter, _ database: Database, dependencies: ReturnsDependencies) {
        router.command(
            Operation.Returns.resolve, ResolveReturn.self, status: 200,
            prepare: { input, context -> Order? in
                try context.requireStaff()
                let request = try await database.withConnection {
                    try await PostgresReturnRepository().find(id: input.id, on: $0, logger: context.logger)
                }
                guard let request else { throw Problem.notFound("no return with id \(input.id)") }
                guard let orderID = request.orderID else { return nil }
                return try await dependencies.orders.order(id: orderID, context: context)
            }
        ) { input, order, context, connection in
            try await resolve(input, order: order, dependencies: dependencies, context: context, on: connection)
        }
    }

    static func resolve(
        _ input: ResolveReturn, order: Order?, dependencies: ReturnsDependencies, context: OperationContext,
        on connection: PostgresConnection
    ) async throws -> ReturnRequest {
        let logger = context.logger
        let (request, storedPolicy) = try await TransitionOperations.locked(input.id, context: context, on: connection)
        try ReturnLifecycle.check(from: request.status, to: .resolved)
        let policy = storedPolicy ?? .builtIn
        guard policy.allowedOutcomes.contains(input.resolution) else {
            throw Problem.conflict(
                "policy \(policy.name) does not allow \(input.resolution.rawValue); it allows "
                    + policy.allowedOutcomes.map(\.rawValue).joined(separator: ", "),
                code: "outcome_not_allowed")
        }
        let money = input.resolution == .refund || input.resolution == .storeCredit
        guard let order, let currency = request.currency else {
            if money {
                throw Problem.conflict(
                    "the order of this return is not mirrored: refund it on the store platform",
                    code: "order_not_mirrored")
            }
            return try await finish(
                request, input: input, breakdown: nil, currency: request.currency ?? "XXX", status: "not_applicable",
                order: nil, dependencies: dependencies, context: context, on: connection)
        }
        let outcomes = try TransitionOperations.byLine(input.lines ?? [], of: request)
        let inputs = request.lines.compactMap { line -> RefundArithmetic.LineInput? in
            guard let number = line.lineNo else { return nil }
            return RefundArithmetic.LineInput(
                lineNo: number, paidMinor: line.paidMinor ?? 0, condition: line.condition,
                overrideMinor: outcomes[number]?.refundMinor)
        }
        let breakdown: RefundArithmetic.Breakdown
        do {
            breakdown = try RefundArithmetic.breakdown(inputs, policy: policy, resolution: input.resolution)
        } catch RefundArithmetic.ArithmeticError.overrideAboveValue(let number, let value) {
            throw Problem.validation([
                .init(
                    field: "lines",
                    message:
                        "line \(number) is worth \(MoneyText.format(Money(amountMinor: value, currency: currency)))"
                        + " after inspection; its refund cannot be more")
            ])
        }
        if money {
            try await OrderLedger.lock(order, on: connection, logger: logger)
            let remaining = try await refundable(order, on: connection, logger: logger)
            guard breakdown.total <= remaining else {
                throw Problem.conflict(
                    "order \(order.number) has \(MoneyText.format(Money(amountMinor: max(remaining, 0), currency: currency)))"
                        + " left to refund (paid minus refunds so far); this refund would be "
                        + MoneyText.format(Money(amountMinor: breakdown.total, currency: currency)),
                    code: "refund_exceeds_remaining")
            }
        }
        let status: String =
            switch input.resolution {
            case .refund: "awaiting_platform"
            case .storeCredit: "issued"
            case .exchange, .replacement: "not_applicable"
            }
        return try await finish(
            request, input: input, breakdown: breakdown, currency: currency, status: status, order: order,
            dependencies: dependencies, context: context, on: connection)
    }

    /// What is left to give back on `order`: paid, minus the platform's refunds, minus this service's refunds and
    /// credits that no platform refund accounts for yet.
    static func refundable(_ order: Order, on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query(
            """
            SELECT
                coalesce((SELECT sum(amount_minor) FROM returns.platform_refunds WHERE order_id = \(order.id)), 0)::bigint,
                coalesce((SELECT sum(amount_minor) FROM returns.refunds
                          WHERE order_id = \(order.id) AND platform_refund_id IS NULL
                            AND resolution IN ('refund', 'store_credit')), 0)::bigint
            """, logger: logger)
        var platform: Int64 = 0
        var ours: Int64 = 0
        for try await (reported, pending) in rows.decode((Int64, Int64).self) {
            platform = reported
            ours = pending
        }
        return order.total.amountMinor - max(platform, order.refunded.amountMinor) - ours
    }

    static func finish(
        _ request: ReturnRequest, input: ResolveReturn, breakdown: RefundArithmetic.Breakdown?, currency: String,
        status: String, order: Order?, dependencies: ReturnsDependencies, context: OperationContext,
        on connection: PostgresConnection
    ) async throws -> ReturnRequest {
        let logger = context.logger
        let refundID = UUID()
        let total = breakdown?.total ?? 0
        for (number, refund) in breakdown?.refunds ?? [:] {
            try await connection.query(
                """
                UPDATE returns.return_lines SET refund_minor = \(refund)
                WHERE return_id = \(request.id) AND line_no = \(number)
                """, logger: logger)
        }
        let lines = request.lines.map { line in
            ReturnEventLine(
                platformLineID: line.platformLineID, sku: line.sku, quantity: line.quantity,
                refundMinor: line.lineNo.flatMap { breakdown?.refunds[$0] } ?? 0,
                reason: line.reason ?? request.reasonCode,
                condition: line.condition?.rawValue)
        }
        var finalStatus = status
        if input.resolution == .refund, let order {
            let outcome = try await dependencies.refunds.submit(
                PlatformRefundRequest(
                    refundID: refundID, orderID: order.id, amount: Money(amountMinor: total, currency: currency),
                    lines: lines),
                on: connection, logger: logger)
            finalStatus = outcome.rawValue
        }
        try await connection.query(
            """
            INSERT INTO returns.refunds (
                id, return_id, order_id, customer_id, resolution, currency, gross_minor, restocking_fee_minor,
                shipping_fee_minor, amount_minor, status, exchange_for, confirmed_at)
            VALUES (
                \(refundID), \(request.id), \(request.orderID), \(request.customerID), \(input.resolution.rawValue),
                \(currency), \(breakdown?.gross ?? 0), \(breakdown?.restockingFee ?? 0), \(breakdown?.shippingFee ?? 0),
                \(total), \(finalStatus), \(input.exchangeFor),
                CASE WHEN \(finalStatus) = 'confirmed' THEN now() END)
            """, logger: logger)
        let after = try await TransitionOperations.move(
            request, to: .resolved, note: input.note, context: context, on: connection)
        let amount = Money(amountMinor: total, currency: currency)
        let text = MoneyText.format(amount)
        let fees = (breakdown?.restockingFee ?? 0) + (breakdown?.shippingFee ?? 0)
        let deducted =
            fees > 0 ? " after \(MoneyText.format(Money(amountMinor: fees, currency: currency))) in fees" : ""
        let of = ReturnEvents.order(after)
        let summary: String =
            switch input.resolution {
            case .refund where finalStatus == "confirmed": "Refund of \(text) for \(of) confirmed\(deducted)"
            case .refund: "Refund of \(text) for \(of) issued\(deducted), awaiting confirmation from the store platform"
            case .storeCredit: "Store credit of \(text) issued for \(of)\(deducted)"
            case .exchange: "Return for \(of) resolved by exchange: sending \(input.exchangeFor ?? "another variant")"
            case .replacement: "Return for \(of) resolved by replacement: the same item is sent again"
            }
        try await context.record(
            try ReturnEvents.event(
                EventType.returnRefunded, after, summary: summary, lines: lines, refund: amount,
                resolution: input.resolution.rawValue, refundID: refundID),
            on: connection)
        return after
    }
}
