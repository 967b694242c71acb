import Foundation

public enum ReturnStatus: String, Codable, Sendable, CaseIterable {
    case requested, approved, declined
    case labelIssued = "label_issued"
    case inTransit = "in_transit"
    case received, inspected, resolved, closed, cancelled
}

/// What inspection found for a returned line.
public enum ReturnedItemCondition: String, Codable, Sendable, CaseIterable {
    /// Back in stock as new.
    case restock
    /// Fine, but not sold again (opened hygiene item, ...).
    case notRestocked = "not_restocked"
    case damaged
    /// Not in the parcel.
    case missing
}

/// One line of a return: which item and how many.
///
/// Requests name the line by `platform_line_id` (the mirrored order's line) or, for an order that is not
/// mirrored, by `sku`. The service fills in the rest.
public struct ReturnLine: Codable, Sendable, Equatable {
    /// The line's number within the return (1, 2, ...), used by `inspect` and `resolve`.
    public var lineNo: Int?
    public var platformLineID: Int64?
    public var sku: String?
    public var title: String?
    public var quantity: Int
    /// The reason code of this line (`size.too_small`); the return's reason when absent.
    public var reason: String?
    /// What the customer paid for these units, after discounts, in the order's currency.
    public var paidMinor: Int64?
    public var condition: ReturnedItemCondition?
    /// What the resolution gave back for these units.
    public var refundMinor: Int64?

    public init(
        sku: String?, quantity: Int, platformLineID: Int64? = nil, reason: String? = nil, lineNo: Int? = nil,
        title: String? = nil, paidMinor: Int64? = nil, condition: ReturnedItemCondition? = nil,
        refundMinor: Int64? = nil
    ) {
        self.lineNo = lineNo
        self.platformLineID = platformLineID
        self.sku = sku
        self.title = title
        self.quantity = quantity
        self.reason = reason
        self.paidMinor = paidMinor
        self.condition = condition
        self.refundMinor = refundMinor
    }

    enum CodingKeys: String, CodingKey {
        case sku, title, quantity, reason, condition
        case lineNo = "line_no"
        case platformLineID = "platform_line_id"
        case paidMinor = "paid_minor"
        case refundMinor = "refund_minor"
    }
}

/// A photo of a returned item: metadata only (the file lives where the URL says).
public struct ReturnPhoto: Codable, Sendable, Equatable {
    public var url: String
    public var contentType: String?
    public var caption: String?

    public init(url: String, contentType: String? = nil, caption: String? = nil) {
        self.url = url
        self.contentType = contentType
        self.caption = caption
    }

    enum CodingKeys: String, CodingKey {
        case url, caption
        case contentType = "content_type"
    }
}

/// The money side of a resolved return.
public struct ReturnRefund: Codable, Sendable, Equatable {
    public var id: UUID
    public var resolution: ReturnResolutionKind
    /// What the lines were worth before fees.
    public var gross: Money
    public var restockingFee: Money
    public var shippingFee: Money
    /// What goes back to the customer: `gross - restocking_fee - shipping_fee`, never below zero.
    public var amount: Money
    /// `awaiting_platform` (the store platform has not confirmed the refund yet), `confirmed` (its webhook came),
    /// `issued` (store credit, no platform money), `not_applicable` (exchange, replacement).
    public var status: String
    public var platformRefundID: Int64?
    /// For an exchange: the variant or SKU sent instead.
    public var exchangeFor: String?
    public var createdAt: Date
    public var confirmedAt: Date?

    public init(
        id: UUID, resolution: ReturnResolutionKind, gross: Money, restockingFee: Money, shippingFee: Money,
        amount: Money, status: String, platformRefundID: Int64?, exchangeFor: String?, createdAt: Date,
        confirmedAt: Date?
    ) {
        self.id = id
        self.resolution = resolution
        self.gross = gross
        self.restockingFee = restockingFee
        self.shippingFee = shippingFee
        self.amount = amount
        self.status = status
        self.platformRefundID = platformRefundID
        self.exchangeFor = exchangeFor
        self.createdAt = createdAt
        self.confirmedAt = confirmedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, resolution, gross, amount, status
        case restockingFee = "restocking_fee"
        case shippingFee = "shipping_fee"
        case platformRefundID = "platform_refund_id"
        case exchangeFor = "exchange_for"
        case createdAt = "created_at"
        case confirmedAt = "confirmed_at"
    }
}

/// A return merchandise authorisation (RMA) request.
public struct ReturnRequest: Codable, Sendable, Equatable {
    public var id: UUID
    public var customerID: UUID
    public var orderReference: String
    /// The free-text reason (the customer's words); the codes are `reasonCode` and each line's `reason`.
    public var reason: String
    public var status: ReturnStatus
    public var lines: [ReturnLine]
    public var createdAt: Date
    public var updatedAt: Date
    /// The mirrored order (nil for a return against an order reference the suite does not mirror).
    public var orderID: UUID?
    public var storeID: UUID?
    public var currency: String?
    public var ticketID: UUID?
    public var reasonCode: String?
    public var notes: String?
    public var photos: [ReturnPhoto]?
    /// `self_service` (customer key or public form) or `agent`.
    public var channel: String?
    public var policyName: String?
    /// Why the request waits for an agent (empty when it was approved automatically).
    public var reviewReasons: [String]?
    public var declineReason: String?
    public var cancelReason: String?
    public var trackingNumber: String?
    public var refund: ReturnRefund?
    public var approvedAt: Date?
    public var receivedAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?

    public init(
        id: UUID, customerID: UUID, orderReference: String, reason: String, status: ReturnStatus,
        lines: [ReturnLine], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.customerID = customerID
        self.orderReference = orderReference
        self.reason = reason
        self.status = status
        self.lines = lines
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, reason, status, lines, currency, notes, photos, channel, refund
        case customerID = "customer_id"
        case orderReference = "order_reference"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case orderID = "order_id"
        case storeID = "store_id"
        case ticketID = "ticket_id"
        case reasonCode = "reason_code"
        case policyName = "policy_name"
        case reviewReasons = "review_reasons"
        case declineReason = "decline_reason"
        case cancelReason = "cancel_reason"
        case trackingNumber = "tracking_number"
        case approvedAt = "approved_at"
        case receivedAt = "received_at"
        case resolvedAt = "resolved_at"
        case closedAt = "closed_at"
    }
}

/// `returns.create`: a customer (or an agent for them) asks to return items of an order.
///
/// Name the order by `order_id` (staff, customer key), by `order_number` + `email` (self-service: both must match
/// the mirrored order), or, for an order the suite does not mirror, by `customer_id` + `order_reference` (lines by
/// SKU; no eligibility check, always reviewed by an agent).
public struct CreateReturn: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "customer_id", "order_reference", "reason", "lines", "order_id", "order_number", "email", "reason_code",
        "notes", "photos", "ticket_id",
    ]
    public static let nestedFields: [String: Set<String>] = [
        "lines": ["sku", "quantity", "platform_line_id", "reason"], "photos": ["url", "content_type", "caption"],
    ]
    public var customerID: UUID?
    public var orderReference: String?
    public var reason: String?
    public var lines: [ReturnLine]
    public var orderID: UUID?
    public var orderNumber: String?
    public var email: String?
    public var reasonCode: String?
    public var notes: String?
    public var photos: [ReturnPhoto]?
    public var ticketID: UUID?

    public init(
        customerID: UUID?, orderReference: String?, reason: String?, lines: [ReturnLine], orderID: UUID? = nil,
        orderNumber: String? = nil, email: String? = nil, reasonCode: String? = nil, notes: String? = nil,
        photos: [ReturnPhoto]? = nil, ticketID: UUID? = nil
    ) {
        self.customerID = customerID
        self.orderReference = orderReference
        self.reason = reason
        self.lines = lines
        self.orderID = orderID
        self.orderNumber = orderNumber
        self.email = email
        self.reasonCode = reasonCode
        self.notes = notes
        self.photos = photos
        self.ticketID = ticketID
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let mirrored = orderID != nil || orderNumber != nil
        if orderID != nil, orderNumber != nil {
            issues.append(FieldIssue("order_id", "give either order_id or order_number with email, not both"))
        }
        if orderNumber != nil || email != nil {
            issues += Validate.text(orderNumber ?? "", field: "order_number", max: 100)
            issues += Validate.email(email ?? "")
        }
        if !mirrored {
            if customerID == nil { issues.append(FieldIssue("customer_id", "is required without an order")) }
            issues += Validate.text(orderReference ?? "", field: "order_reference", max: 64)
            if reason == nil, reasonCode == nil {
                issues.append(FieldIssue("reason", "give a reason or a reason_code"))
            }
        } else {
            issues += Validate.optionalText(orderReference, field: "order_reference", max: 64)
        }
        issues += Validate.optionalText(reason, field: "reason", max: 2_000)
        issues += Validate.optionalText(notes, field: "notes", max: 5_000)
        if let reasonCode, ReturnReasons.reason(reasonCode) == nil {
            issues.append(FieldIssue("reason_code", "must be one of the codes of returns.reasons"))
        }
        if lines.isEmpty { issues.append(FieldIssue("lines", "must contain at least one line")) }
        if lines.count > 100 { issues.append(FieldIssue("lines", "must contain at most 100 lines")) }
        for (index, line) in lines.enumerated() {
            if line.platformLineID == nil {
                if let sku = line.sku {
                    issues += Validate.text(sku, field: "lines[\(index)].sku", max: 64)
                } else {
                    issues.append(FieldIssue("lines[\(index)]", "name the line by platform_line_id or sku"))
                }
            }
            if !(1...10_000).contains(line.quantity) {
                issues.append(FieldIssue("lines[\(index)].quantity", "must be between 1 and 10000"))
            }
            if let code = line.reason, ReturnReasons.reason(code) == nil {
                issues.append(FieldIssue("lines[\(index)].reason", "must be one of the codes of returns.reasons"))
            }
        }
        let keys = lines.map { line in line.platformLineID.map { "id:\($0)" } ?? "sku:\(line.sku ?? "")" }
        if Set(keys).count != keys.count {
            let bySKU = lines.allSatisfy { $0.platformLineID == nil }
            issues.append(FieldIssue("lines", "each \(bySKU ? "sku" : "line") may appear once; combine quantities"))
        }
        if let photos {
            if photos.count > 10 { issues.append(FieldIssue("photos", "must hold at most 10 photos")) }
            for (index, photo) in photos.enumerated() {
                if !(photo.url.hasPrefix("https://") || photo.url.hasPrefix("http://")) || photo.url.count > 2_000 {
                    issues.append(
                        FieldIssue("photos[\(index)].url", "must be an http(s) URL of at most 2000 characters"))
                }
                issues += Validate.optionalText(photo.contentType, field: "photos[\(index)].content_type", max: 100)
                issues += Validate.optionalText(photo.caption, field: "photos[\(index)].caption", max: 500)
            }
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case reason, lines, email, notes, photos
        case customerID = "customer_id"
        case orderReference = "order_reference"
        case orderID = "order_id"
        case orderNumber = "order_number"
        case reasonCode = "reason_code"
        case ticketID = "ticket_id"
    }
}
