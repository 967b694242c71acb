import Foundation

/// `returns.analytics`: return and refund rates over a period, grouped.
public struct GetReturnAnalytics: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["from", "to", "group_by", "store_id"]
    public var from: Date
    public var to: Date
    /// `product` (SKU), `reason`, `period` (calendar month, UTC), `customer`; nil for the totals only.
    public var groupBy: String?
    public var storeID: UUID?

    public init(from: Date, to: Date, groupBy: String? = nil, storeID: UUID? = nil) {
        self.from = from
        self.to = to
        self.groupBy = groupBy
        self.storeID = storeID
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if to <= from { issues.append(FieldIssue("to", "must be after from")) }
        if to.timeIntervalSince(from) > 3 * 366 * 86_400 {
            issues.append(FieldIssue("to", "the period may span at most three years"))
        }
        if let groupBy, !["product", "reason", "period", "customer"].contains(groupBy) {
            issues.append(FieldIssue("group_by", "must be product, reason, period or customer"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case from, to
        case groupBy = "group_by"
        case storeID = "store_id"
    }
}

/// The return numbers of one group (or of the whole period).
public struct ReturnStats: Codable, Sendable, Equatable {
    /// The group's key (SKU, reason code, `2025-03`, customer id); nil for the totals.
    public var key: String?
    /// Units sold (paid orders placed in the period).
    public var unitsSold: Int
    /// Units asked back (returns not declined or cancelled, requested in the period).
    public var unitsReturned: Int
    public var returns: Int
    /// `unitsReturned / unitsSold` (nil without sales: a rate of nothing).
    public var returnRate: Double?
    /// Minor units sold and given back (refunds and store credit), summed over currencies as minor units: one
    /// currency per store is the expected case.
    public var soldMinor: Int64
    public var refundedMinor: Int64
    /// `refundedMinor / soldMinor`.
    public var refundRate: Double?
    /// Mean seconds from the request to its refund, over the refunded returns.
    public var meanSecondsToRefund: Double?

    public init(
        key: String?, unitsSold: Int, unitsReturned: Int, returns: Int, soldMinor: Int64, refundedMinor: Int64,
        meanSecondsToRefund: Double?
    ) {
        self.key = key
        self.unitsSold = unitsSold
        self.unitsReturned = unitsReturned
        self.returns = returns
        self.returnRate = unitsSold > 0 ? Double(unitsReturned) / Double(unitsSold) : nil
        self.soldMinor = soldMinor
        self.refundedMinor = refundedMinor
        self.refundRate = soldMinor > 0 ? Double(refundedMinor) / Double(soldMinor) : nil
        self.meanSecondsToRefund = meanSecondsToRefund
    }

    enum CodingKeys: String, CodingKey {
        case key, returns
        case unitsSold = "units_sold"
        case unitsReturned = "units_returned"
        case returnRate = "return_rate"
        case soldMinor = "sold_minor"
        case refundedMinor = "refunded_minor"
        case refundRate = "refund_rate"
        case meanSecondsToRefund = "mean_seconds_to_refund"
    }
}

/// A reason and how many return lines gave it.
public struct ReasonCount: Codable, Sendable, Equatable {
    public var reason: String
    public var lines: Int
    public init(reason: String, lines: Int) {
        self.reason = reason
        self.lines = lines
    }
}

/// A customer whose returns stand out (see docs/returns.md "Unusual return behaviour").
public struct UnusualReturner: Codable, Sendable, Equatable {
    public var customerID: UUID
    public var returns: Int
    public var unitsReturned: Int
    public var unitsBought: Int
    public var why: String
    public init(customerID: UUID, returns: Int, unitsReturned: Int, unitsBought: Int, why: String) {
        self.customerID = customerID
        self.returns = returns
        self.unitsReturned = unitsReturned
        self.unitsBought = unitsBought
        self.why = why
    }
    enum CodingKeys: String, CodingKey {
        case returns, why
        case customerID = "customer_id"
        case unitsReturned = "units_returned"
        case unitsBought = "units_bought"
    }
}

/// `returns.analytics`: the answer.
public struct ReturnAnalytics: Codable, Sendable, Equatable {
    public var from: Date
    public var to: Date
    public var overall: ReturnStats
    public var groups: [ReturnStats]
    public var topReasons: [ReasonCount]
    public var unusualCustomers: [UnusualReturner]

    public init(
        from: Date, to: Date, overall: ReturnStats, groups: [ReturnStats], topReasons: [ReasonCount],
        unusualCustomers: [UnusualReturner]
    ) {
        self.from = from
        self.to = to
        self.overall = overall
        self.groups = groups
        self.topReasons = topReasons
        self.unusualCustomers = unusualCustomers
    }

    enum CodingKeys: String, CodingKey {
        case from, to, overall, groups
        case topReasons = "top_reasons"
        case unusualCustomers = "unusual_customers"
    }
}
