import Foundation

extension Operation.Returns {
    public static let list = "returns.list"
    public static let reviewQueue = "returns.review_queue"
    public static let eligibility = "returns.eligibility"
    public static let reasons = "returns.reasons"
    public static let approve = "returns.approve"
    public static let decline = "returns.decline"
    public static let cancel = "returns.cancel"
    public static let issueLabel = "returns.issue_label"
    public static let markInTransit = "returns.mark_in_transit"
    public static let receive = "returns.receive"
    public static let inspect = "returns.inspect"
    public static let resolve = "returns.resolve"
    public static let close = "returns.close"
    public static let getLabel = "returns.get_label"
    public static let analytics = "returns.analytics"
}

/// The input of the transitions that need only the return and an optional note: approve, issue_label, close.
public struct ReturnAction: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id", "note"]
    public var id: UUID
    public var note: String?
    public init(id: UUID, note: String? = nil) {
        self.id = id
        self.note = note
    }
    public func validate() -> [FieldIssue] { Validate.optionalText(note, field: "note", max: 2_000) }
}

/// `returns.decline` and `returns.cancel`: the return and why (required to decline).
public struct ReturnReasonAction: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id", "reason"]
    public var id: UUID
    public var reason: String?
    public init(id: UUID, reason: String?) {
        self.id = id
        self.reason = reason
    }
    public func validate() -> [FieldIssue] { Validate.optionalText(reason, field: "reason", max: 2_000) }
}

/// `returns.mark_in_transit`: the parcel is on its way (a carrier scan or the customer's own tracking number).
public struct MarkReturnInTransit: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id", "tracking_number"]
    public var id: UUID
    public var trackingNumber: String?
    public init(id: UUID, trackingNumber: String? = nil) {
        self.id = id
        self.trackingNumber = trackingNumber
    }
    public func validate() -> [FieldIssue] {
        Validate.optionalText(trackingNumber, field: "tracking_number", max: 64)
    }
    enum CodingKeys: String, CodingKey {
        case id
        case trackingNumber = "tracking_number"
    }
}

/// One line's outcome in `returns.inspect`, `returns.receive` and `returns.resolve`.
public struct ReturnLineOutcome: Codable, Sendable, Equatable {
    public var lineNo: Int
    /// `inspect`: what was found (required).
    public var condition: ReturnedItemCondition?
    /// `receive`: how many units arrived (all when absent).
    public var quantity: Int?
    /// `resolve`: a partial refund for this line, in minor units (the computed amount when absent).
    public var refundMinor: Int64?

    public init(
        lineNo: Int, condition: ReturnedItemCondition? = nil, quantity: Int? = nil, refundMinor: Int64? = nil
    ) {
        self.lineNo = lineNo
        self.condition = condition
        self.quantity = quantity
        self.refundMinor = refundMinor
    }

    enum CodingKeys: String, CodingKey {
        case condition, quantity
        case lineNo = "line_no"
        case refundMinor = "refund_minor"
    }
}

/// `returns.receive` and `returns.inspect`: the return and its lines.
public struct ReturnLinesAction: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id", "lines", "note"]
    public static let nestedFields: [String: Set<String>] = ["lines": ["line_no", "condition", "quantity"]]
    public var id: UUID
    public var lines: [ReturnLineOutcome]?
    public var note: String?
    public init(id: UUID, lines: [ReturnLineOutcome]?, note: String? = nil) {
        self.id = id
        self.lines = lines
        self.note = note
    }
    public func validate() -> [FieldIssue] {
        var issues = Validate.optionalText(note, field: "note", max: 2_000)
        let lines = self.lines ?? []
        if lines.count > 100 { issues.append(FieldIssue("lines", "must contain at most 100 lines")) }
        if Set(lines.map(\.lineNo)).count != lines.count {
            issues.append(FieldIssue("lines", "each line_no may appear once"))
        }
        for (index, line) in lines.enumerated() {
            if let quantity = line.quantity, !(0...10_000).contains(quantity) {
                issues.append(FieldIssue("lines[\(index)].quantity", "must be between 0 and 10000"))
            }
        }
        return issues
    }
}

/// `returns.resolve`: how the return ends. Refund and store credit give money back (per line, fees deducted as
/// the policy says); exchange and replacement send goods instead.
public struct ResolveReturn: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id", "resolution", "lines", "exchange_for", "note"]
    public static let nestedFields: [String: Set<String>] = ["lines": ["line_no", "refund_minor"]]
    public var id: UUID
    public var resolution: ReturnResolutionKind
    public var lines: [ReturnLineOutcome]?
    /// For an exchange: the SKU or variant sent instead.
    public var exchangeFor: String?
    public var note: String?

    public init(
        id: UUID, resolution: ReturnResolutionKind, lines: [ReturnLineOutcome]? = nil, exchangeFor: String? = nil,
        note: String? = nil
    ) {
        self.id = id
        self.resolution = resolution
        self.lines = lines
        self.exchangeFor = exchangeFor
        self.note = note
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.optionalText(note, field: "note", max: 2_000)
        issues += Validate.optionalText(exchangeFor, field: "exchange_for", max: 64)
        if resolution == .exchange, exchangeFor == nil {
            issues.append(FieldIssue("exchange_for", "is required for an exchange"))
        }
        let lines = self.lines ?? []
        if Set(lines.map(\.lineNo)).count != lines.count {
            issues.append(FieldIssue("lines", "each line_no may appear once"))
        }
        for (index, line) in lines.enumerated() {
            if let refund = line.refundMinor, refund < 0 {
                issues.append(FieldIssue("lines[\(index)].refund_minor", "must not be negative"))
            }
            if line.refundMinor != nil, resolution == .exchange || resolution == .replacement {
                issues.append(FieldIssue("lines[\(index)].refund_minor", "only a refund or store credit gives money"))
            }
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case id, resolution, lines, note
        case exchangeFor = "exchange_for"
    }
}

/// `returns.list`: returns, newest first; a customer key sees its own only.
public struct ListReturns: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id", "status", "order_id", "limit", "cursor"]
    public var customerID: UUID?
    public var status: ReturnStatus?
    public var orderID: UUID?
    public var limit: Int?
    /// The `next_cursor` of the previous page.
    public var cursor: String?
    public init(
        customerID: UUID? = nil, status: ReturnStatus? = nil, orderID: UUID? = nil, limit: Int? = nil,
        cursor: String? = nil
    ) {
        self.customerID = customerID
        self.status = status
        self.orderID = orderID
        self.limit = limit
        self.cursor = cursor
    }
    public func validate() -> [FieldIssue] {
        Validate.limit(limit) + Validate.optionalText(cursor, field: "cursor", max: 200)
    }
    enum CodingKeys: String, CodingKey {
        case status, limit, cursor
        case customerID = "customer_id"
        case orderID = "order_id"
    }
}

/// A page of returns.
public struct ReturnPage: Codable, Sendable, Equatable {
    public var items: [ReturnRequest]
    public var nextCursor: String?
    public init(items: [ReturnRequest], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }
}

/// `returns.eligibility`: which lines of an order can be returned, and why (not).
public struct CheckReturnEligibility: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["order_id", "order_number", "email"]
    public var orderID: UUID?
    public var orderNumber: String?
    public var email: String?
    public init(orderID: UUID? = nil, orderNumber: String? = nil, email: String? = nil) {
        self.orderID = orderID
        self.orderNumber = orderNumber
        self.email = email
    }
    public func validate() -> [FieldIssue] {
        if orderID != nil { return orderNumber == nil ? [] : [FieldIssue("order_id", "give order_id or order_number")] }
        return Validate.text(orderNumber ?? "", field: "order_number", max: 100) + Validate.email(email ?? "")
    }
    enum CodingKeys: String, CodingKey {
        case email
        case orderID = "order_id"
        case orderNumber = "order_number"
    }
}

/// One order line's eligibility.
public struct LineEligibility: Codable, Sendable, Equatable {
    public var platformLineID: Int64
    public var sku: String?
    public var title: String
    public var ordered: Int
    /// Units that can still be returned (0 when not eligible).
    public var returnable: Int
    public var eligible: Bool
    /// The outcomes still open for this line (only `exchange` in an exchange-only window).
    public var outcomes: [ReturnResolutionKind]
    /// The rule that decided, in words (`Returnable until 31 March 2025 (30 days since delivery on 1 March 2025)`).
    public var explanation: String
    /// A short code of that rule: `eligible`, `exchange_only`, `window_closed`, `not_shipped`, `final_sale`,
    /// `already_returned`, `order_cancelled`.
    public var rule: String
    public var policyName: String
    public var closesAt: Date?

    public init(
        platformLineID: Int64, sku: String?, title: String, ordered: Int, returnable: Int, eligible: Bool,
        outcomes: [ReturnResolutionKind], explanation: String, rule: String, policyName: String, closesAt: Date?
    ) {
        self.platformLineID = platformLineID
        self.sku = sku
        self.title = title
        self.ordered = ordered
        self.returnable = returnable
        self.eligible = eligible
        self.outcomes = outcomes
        self.explanation = explanation
        self.rule = rule
        self.policyName = policyName
        self.closesAt = closesAt
    }

    enum CodingKeys: String, CodingKey {
        case sku, title, ordered, returnable, eligible, outcomes, explanation, rule
        case platformLineID = "platform_line_id"
        case policyName = "policy_name"
        case closesAt = "closes_at"
    }
}

/// `returns.eligibility`: the answer.
public struct ReturnEligibility: Codable, Sendable, Equatable {
    public var orderID: UUID
    public var orderNumber: String
    public var lines: [LineEligibility]
    public init(orderID: UUID, orderNumber: String, lines: [LineEligibility]) {
        self.orderID = orderID
        self.orderNumber = orderNumber
        self.lines = lines
    }
    enum CodingKeys: String, CodingKey {
        case lines
        case orderID = "order_id"
        case orderNumber = "order_number"
    }
}

/// `returns.get_label`: the printable label of a return.
public struct ReturnLabel: Codable, Sendable, Equatable {
    public var returnID: UUID
    public var carrier: String
    public var trackingNumber: String
    /// `image/svg+xml` for the local provider.
    public var contentType: String
    /// The document itself (text for SVG).
    public var document: String
    public var createdAt: Date

    public init(
        returnID: UUID, carrier: String, trackingNumber: String, contentType: String, document: String,
        createdAt: Date
    ) {
        self.returnID = returnID
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.contentType = contentType
        self.document = document
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case carrier, document
        case returnID = "return_id"
        case trackingNumber = "tracking_number"
        case contentType = "content_type"
        case createdAt = "created_at"
    }
}

/// `returns.reasons`: the reason taxonomy.
public struct ReturnReasonList: Codable, Sendable, Equatable {
    public var reasons: [ReturnReason]
    public init(reasons: [ReturnReason]) { self.reasons = reasons }
}

/// The input of operations that take nothing.
public struct NoInput: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = []
    public init() {}
}
