import Contracts
import Foundation

/// The money of a resolution, in integer minor units (docs/returns.md "Refund arithmetic").
///
/// - A line is worth what its units were paid: the line's total after its discounts, shared over its units so
///   that the shares of all units add up to the total exactly (cumulative floor: units `a+1...b` are worth
///   `floor(total*b/q) - floor(total*a/q)`). Tax and the order's shipping are not part of line refunds.
/// - Inspection: a `missing` line is worth nothing; a `damaged` one nothing when the policy requires unused items.
/// - An agent may set a line's refund (a partial refund): it is final for that line, no fees are taken from it,
///   and it may not exceed what the line is worth.
/// - The percentage restocking fee is taken per line and rounded down (the customer keeps the fraction).
/// - The fixed restocking fee and, when the customer pays it, return shipping are taken once per return, never
///   more than what is left, and shared over the lines in proportion to what is left of each (rounded down, the
///   remainder taken from the first lines that still have room).
/// - Exchange and replacement give no money.
public enum RefundArithmetic {
    /// What `units` units of `line` were paid, when `before` units of it were priced by earlier returns.
    public static func paid(for line: OrderLine, units: Int, before: Int) -> Int64 {
        let total = max(0, line.unitPrice.amountMinor * Int64(line.quantity) - line.discount.amountMinor)
        let quantity = Int64(max(line.quantity, 1))
        let upTo = min(Int64(before + units), quantity)
        let from = min(Int64(before), quantity)
        return total * upTo / quantity - total * from / quantity
    }

    /// One line going in.
    public struct LineInput: Sendable, Equatable {
        public var lineNo: Int
        public var paidMinor: Int64
        public var condition: ReturnedItemCondition?
        public var overrideMinor: Int64?
        public init(lineNo: Int, paidMinor: Int64, condition: ReturnedItemCondition?, overrideMinor: Int64? = nil) {
            self.lineNo = lineNo
            self.paidMinor = paidMinor
            self.condition = condition
            self.overrideMinor = overrideMinor
        }
    }

    /// The result: per line and in total.
    public struct Breakdown: Sendable, Equatable {
        public var refunds: [Int: Int64]
        public var gross: Int64
        public var restockingFee: Int64
        public var shippingFee: Int64
        public var total: Int64
    }

    public enum ArithmeticError: Error, Equatable {
        /// A line's refund was set above what the line is worth.
        case overrideAboveValue(lineNo: Int, value: Int64)
    }

    public static func breakdown(
        _ lines: [LineInput], policy: ReturnPolicy, resolution: ReturnResolutionKind
    ) throws -> Breakdown {
        guard resolution == .refund || resolution == .storeCredit else {
            return Breakdown(
                refunds: Dictionary(uniqueKeysWithValues: lines.map { ($0.lineNo, 0) }), gross: 0, restockingFee: 0,
                shippingFee: 0, total: 0)
        }
        var gross: Int64 = 0
        var percentFees: Int64 = 0
        var net: [(lineNo: Int, amount: Int64, feeable: Bool)] = []
        for line in lines {
            let value: Int64
            switch line.condition {
            case .missing: value = 0
            case .damaged where policy.requiredCondition == .unused: value = 0
            default: value = line.paidMinor
            }
            if let override = line.overrideMinor {
                guard override <= value else {
                    throw ArithmeticError.overrideAboveValue(lineNo: line.lineNo, value: value)
                }
                gross += override
                net.append((line.lineNo, override, false))
                continue
            }
            gross += value
            let fee = value * Int64(policy.restockingFeeBasisPoints) / 10_000
            percentFees += fee
            net.append((line.lineNo, value - fee, true))
        }
        let room = net.filter(\.feeable).reduce(Int64(0)) { $0 + $1.amount }
        let fixed = min(policy.restockingFeeFixedMinor, room)
        let shipping =
            policy.returnShippingPayer == .customer ? min(policy.returnShippingFeeMinor, room - fixed) : 0
        let deduction = fixed + shipping
        var refunds: [Int: Int64] = [:]
        var shares: [Int64] = net.map { line in
            guard line.feeable, room > 0 else { return 0 }
            return deduction * line.amount / room
        }
        var remainder = deduction - shares.reduce(0, +)
        for index in net.indices where remainder > 0 && net[index].feeable {
            let take = min(remainder, net[index].amount - shares[index])
            shares[index] += take
            remainder -= take
        }
        for (index, line) in net.enumerated() { refunds[line.lineNo] = line.amount - shares[index] }
        let total = refunds.values.reduce(0, +)
        return Breakdown(
            refunds: refunds, gross: gross, restockingFee: percentFees + fixed, shippingFee: shipping, total: total)
    }
}
