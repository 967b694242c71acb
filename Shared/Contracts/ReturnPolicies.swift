import Foundation

extension Operation.Returns {
    /// `returns.put_policy`: creates or replaces a return policy (staff).
    public static let putPolicy = "returns.put_policy"
    /// `returns.list_policies`: every return policy, most specific first.
    public static let listPolicies = "returns.list_policies"
}

/// Who pays for the parcel back to the store.
public enum ReturnShippingPayer: String, Codable, Sendable, CaseIterable {
    case merchant, customer
}

/// What a return may end in.
public enum ReturnResolutionKind: String, Codable, Sendable, CaseIterable {
    /// Money back to the original payment.
    case refund
    /// Credit for a later order.
    case storeCredit = "store_credit"
    /// Another variant of the same product.
    case exchange
    /// The same item again (for a defective or wrong one).
    case replacement
}

/// The condition a returned item must be in to be accepted for a refund.
public enum RequiredItemCondition: String, Codable, Sendable, CaseIterable {
    /// Whatever the state: damaged items are still refunded.
    case any
    /// Unused: an item inspected as `damaged` is not refunded.
    case unused
}

/// A return policy: the rules that apply to the lines of the orders it covers.
///
/// Scope: `storeID` nil covers every store; `productTag` narrows it to the lines whose product carries that tag
/// (from the customers service's product mirror); `skuPrefix` to the lines whose SKU starts with it (a SKU family);
/// `customerTag` to a customer segment (a segment of the customers service, by name, or a tag of the customer
/// record). Of the policies that cover a line, the one with the highest `priority` applies (then the most specific,
/// then the oldest); with none, ``ReturnPolicy/builtIn`` does.
public struct ReturnPolicy: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var storeID: UUID?
    public var skuPrefix: String?
    public var productTag: String?
    public var customerTag: String?
    public var priority: Int
    /// The IANA time zone whose calendar days the window counts (the store's).
    public var timeZone: String
    /// Days to return for any allowed outcome, counted from delivery (falling back to fulfillment).
    public var windowDays: Int
    /// Further days after `windowDays` in which only an exchange is possible (0 for none).
    public var exchangeOnlyDays: Int
    /// SKUs starting with one of these are final sale: never returnable.
    public var finalSaleSKUPrefixes: [String]
    /// Orders carrying one of these tags are final sale as a whole.
    public var finalSaleOrderTags: [String]
    /// Lines whose product carries one of these tags are final sale.
    public var finalSaleProductTags: [String]
    public var requiredCondition: RequiredItemCondition
    public var allowedOutcomes: [ReturnResolutionKind]
    /// Restocking fee as a share of each refunded line, in basis points (1000 = 10 %).
    public var restockingFeeBasisPoints: Int
    /// Restocking fee per return, in minor units of the order's currency.
    public var restockingFeeFixedMinor: Int64
    public var returnShippingPayer: ReturnShippingPayer
    /// What return shipping costs the customer when they pay it, in minor units (deducted from the refund).
    public var returnShippingFeeMinor: Int64
    /// Whether an eligible request is approved without an agent; otherwise it waits in the review queue.
    public var autoApprove: Bool
    /// At most this many returns per customer in `periodDays` (nil: no limit); over it, requests go to review.
    public var maxReturnsPerPeriod: Int?
    /// At most this much requested value per customer in `periodDays`, in minor units (nil: no limit).
    public var maxReturnValueMinorPerPeriod: Int64?
    public var periodDays: Int
    public var createdAt: Date?
    public var updatedAt: Date?

    public init(
        id: UUID, name: String, storeID: UUID? = nil, skuPrefix: String? = nil, productTag: String? = nil,
        customerTag: String? = nil, priority: Int = 0, timeZone: String = "UTC", windowDays: Int = 30,
        exchangeOnlyDays: Int = 0, finalSaleSKUPrefixes: [String] = [], finalSaleOrderTags: [String] = ["final-sale"],
        finalSaleProductTags: [String] = ["final-sale"], requiredCondition: RequiredItemCondition = .any,
        allowedOutcomes: [ReturnResolutionKind] = ReturnResolutionKind.allCases, restockingFeeBasisPoints: Int = 0,
        restockingFeeFixedMinor: Int64 = 0, returnShippingPayer: ReturnShippingPayer = .merchant,
        returnShippingFeeMinor: Int64 = 0, autoApprove: Bool = true, maxReturnsPerPeriod: Int? = nil,
        maxReturnValueMinorPerPeriod: Int64? = nil, periodDays: Int = 365, createdAt: Date? = nil,
        updatedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.storeID = storeID
        self.skuPrefix = skuPrefix
        self.productTag = productTag
        self.customerTag = customerTag
        self.priority = priority
        self.timeZone = timeZone
        self.windowDays = windowDays
        self.exchangeOnlyDays = exchangeOnlyDays
        self.finalSaleSKUPrefixes = finalSaleSKUPrefixes
        self.finalSaleOrderTags = finalSaleOrderTags
        self.finalSaleProductTags = finalSaleProductTags
        self.requiredCondition = requiredCondition
        self.allowedOutcomes = allowedOutcomes
        self.restockingFeeBasisPoints = restockingFeeBasisPoints
        self.restockingFeeFixedMinor = restockingFeeFixedMinor
        self.returnShippingPayer = returnShippingPayer
        self.returnShippingFeeMinor = returnShippingFeeMinor
        self.autoApprove = autoApprove
        self.maxReturnsPerPeriod = maxReturnsPerPeriod
        self.maxReturnValueMinorPerPeriod = maxReturnValueMinorPerPeriod
        self.periodDays = periodDays
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The policy that applies when a store has defined none: 30 days in UTC, every outcome, no fees, approved
    /// automatically.
    public static let builtIn = ReturnPolicy(
        id: UUID(uuidString: "00000000-0000-0000-0000-000000000000") ?? UUID(), name: "default")

    enum CodingKeys: String, CodingKey {
        case id, name, priority
        case storeID = "store_id"
        case skuPrefix = "sku_prefix"
        case productTag = "product_tag"
        case customerTag = "customer_tag"
        case timeZone = "time_zone"
        case windowDays = "window_days"
        case exchangeOnlyDays = "exchange_only_days"
        case finalSaleSKUPrefixes = "final_sale_sku_prefixes"
        case finalSaleOrderTags = "final_sale_order_tags"
        case finalSaleProductTags = "final_sale_product_tags"
        case requiredCondition = "required_condition"
        case allowedOutcomes = "allowed_outcomes"
        case restockingFeeBasisPoints = "restocking_fee_basis_points"
        case restockingFeeFixedMinor = "restocking_fee_fixed_minor"
        case returnShippingPayer = "return_shipping_payer"
        case returnShippingFeeMinor = "return_shipping_fee_minor"
        case autoApprove = "auto_approve"
        case maxReturnsPerPeriod = "max_returns_per_period"
        case maxReturnValueMinorPerPeriod = "max_return_value_minor_per_period"
        case periodDays = "period_days"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `returns.put_policy`: the whole policy (a replace, not a patch); `id` names it.
public struct PutReturnPolicy: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "id", "name", "store_id", "sku_prefix", "product_tag", "customer_tag", "priority", "time_zone",
        "window_days", "exchange_only_days", "final_sale_sku_prefixes", "final_sale_order_tags",
        "final_sale_product_tags", "required_condition",
        "allowed_outcomes", "restocking_fee_basis_points", "restocking_fee_fixed_minor", "return_shipping_payer",
        "return_shipping_fee_minor", "auto_approve", "max_returns_per_period", "max_return_value_minor_per_period",
        "period_days",
    ]
    public var id: UUID
    public var name: String
    public var storeID: UUID?
    public var skuPrefix: String?
    public var productTag: String?
    public var customerTag: String?
    public var priority: Int?
    public var timeZone: String?
    public var windowDays: Int
    public var exchangeOnlyDays: Int?
    public var finalSaleSKUPrefixes: [String]?
    public var finalSaleOrderTags: [String]?
    public var finalSaleProductTags: [String]?
    public var requiredCondition: RequiredItemCondition?
    public var allowedOutcomes: [ReturnResolutionKind]?
    public var restockingFeeBasisPoints: Int?
    public var restockingFeeFixedMinor: Int64?
    public var returnShippingPayer: ReturnShippingPayer?
    public var returnShippingFeeMinor: Int64?
    public var autoApprove: Bool?
    public var maxReturnsPerPeriod: Int?
    public var maxReturnValueMinorPerPeriod: Int64?
    public var periodDays: Int?

    public init(_ policy: ReturnPolicy) {
        id = policy.id
        name = policy.name
        storeID = policy.storeID
        skuPrefix = policy.skuPrefix
        productTag = policy.productTag
        customerTag = policy.customerTag
        priority = policy.priority
        timeZone = policy.timeZone
        windowDays = policy.windowDays
        exchangeOnlyDays = policy.exchangeOnlyDays
        finalSaleSKUPrefixes = policy.finalSaleSKUPrefixes
        finalSaleOrderTags = policy.finalSaleOrderTags
        finalSaleProductTags = policy.finalSaleProductTags
        requiredCondition = policy.requiredCondition
        allowedOutcomes = policy.allowedOutcomes
        restockingFeeBasisPoints = policy.restockingFeeBasisPoints
        restockingFeeFixedMinor = policy.restockingFeeFixedMinor
        returnShippingPayer = policy.returnShippingPayer
        returnShippingFeeMinor = policy.returnShippingFeeMinor
        autoApprove = policy.autoApprove
        maxReturnsPerPeriod = policy.maxReturnsPerPeriod
        maxReturnValueMinorPerPeriod = policy.maxReturnValueMinorPerPeriod
        periodDays = policy.periodDays
    }

    /// The policy this input describes, defaults filled in.
    public var policy: ReturnPolicy {
        let defaults = ReturnPolicy(id: id, name: name)
        return ReturnPolicy(
            id: id, name: name, storeID: storeID, skuPrefix: skuPrefix, productTag: productTag,
            customerTag: customerTag, priority: priority ?? 0, timeZone: timeZone ?? defaults.timeZone,
            windowDays: windowDays, exchangeOnlyDays: exchangeOnlyDays ?? 0,
            finalSaleSKUPrefixes: finalSaleSKUPrefixes ?? [],
            finalSaleOrderTags: finalSaleOrderTags ?? defaults.finalSaleOrderTags,
            finalSaleProductTags: finalSaleProductTags ?? defaults.finalSaleProductTags,
            requiredCondition: requiredCondition ?? .any, allowedOutcomes: allowedOutcomes ?? defaults.allowedOutcomes,
            restockingFeeBasisPoints: restockingFeeBasisPoints ?? 0,
            restockingFeeFixedMinor: restockingFeeFixedMinor ?? 0,
            returnShippingPayer: returnShippingPayer ?? .merchant, returnShippingFeeMinor: returnShippingFeeMinor ?? 0,
            autoApprove: autoApprove ?? true, maxReturnsPerPeriod: maxReturnsPerPeriod,
            maxReturnValueMinorPerPeriod: maxReturnValueMinorPerPeriod, periodDays: periodDays ?? 365)
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(name, field: "name", max: 100)
        issues += Validate.optionalText(skuPrefix, field: "sku_prefix", max: 64)
        issues += Validate.optionalText(productTag, field: "product_tag", max: 255)
        issues += Validate.optionalText(customerTag, field: "customer_tag", max: 64)
        if let timeZone, TimeZone(identifier: timeZone) == nil || timeZone.count > 64 {
            issues.append(FieldIssue("time_zone", "must be an IANA time zone such as Europe/Berlin"))
        }
        if !(0...3_650).contains(windowDays) { issues.append(FieldIssue("window_days", "must be between 0 and 3650")) }
        if let exchangeOnlyDays, !(0...3_650).contains(exchangeOnlyDays) {
            issues.append(FieldIssue("exchange_only_days", "must be between 0 and 3650"))
        }
        if let priority, !(-1_000...1_000).contains(priority) {
            issues.append(FieldIssue("priority", "must be between -1000 and 1000"))
        }
        for (field, list) in [
            ("final_sale_sku_prefixes", finalSaleSKUPrefixes ?? []),
            ("final_sale_order_tags", finalSaleOrderTags ?? []),
            ("final_sale_product_tags", finalSaleProductTags ?? []),
        ] {
            if list.count > 50 { issues.append(FieldIssue(field, "must hold at most 50 entries")) }
            for (index, value) in list.enumerated() {
                issues += Validate.text(value, field: "\(field)[\(index)]", max: 64)
            }
        }
        if let allowedOutcomes, allowedOutcomes.isEmpty {
            issues.append(FieldIssue("allowed_outcomes", "must allow at least one outcome"))
        }
        if let restockingFeeBasisPoints, !(0...10_000).contains(restockingFeeBasisPoints) {
            issues.append(FieldIssue("restocking_fee_basis_points", "must be between 0 and 10000 (100 %)"))
        }
        for (field, value) in [
            ("restocking_fee_fixed_minor", restockingFeeFixedMinor),
            ("return_shipping_fee_minor", returnShippingFeeMinor),
            ("max_return_value_minor_per_period", maxReturnValueMinorPerPeriod),
        ] {
            if let value, !(0...1_000_000_000_000).contains(value) {
                issues.append(FieldIssue(field, "must be between 0 and 1000000000000"))
            }
        }
        if let maxReturnsPerPeriod, !(1...10_000).contains(maxReturnsPerPeriod) {
            issues.append(FieldIssue("max_returns_per_period", "must be between 1 and 10000"))
        }
        if let periodDays, !(1...3_650).contains(periodDays) {
            issues.append(FieldIssue("period_days", "must be between 1 and 3650"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case id, name, priority
        case storeID = "store_id"
        case skuPrefix = "sku_prefix"
        case productTag = "product_tag"
        case customerTag = "customer_tag"
        case timeZone = "time_zone"
        case windowDays = "window_days"
        case exchangeOnlyDays = "exchange_only_days"
        case finalSaleSKUPrefixes = "final_sale_sku_prefixes"
        case finalSaleOrderTags = "final_sale_order_tags"
        case finalSaleProductTags = "final_sale_product_tags"
        case requiredCondition = "required_condition"
        case allowedOutcomes = "allowed_outcomes"
        case restockingFeeBasisPoints = "restocking_fee_basis_points"
        case restockingFeeFixedMinor = "restocking_fee_fixed_minor"
        case returnShippingPayer = "return_shipping_payer"
        case returnShippingFeeMinor = "return_shipping_fee_minor"
        case autoApprove = "auto_approve"
        case maxReturnsPerPeriod = "max_returns_per_period"
        case maxReturnValueMinorPerPeriod = "max_return_value_minor_per_period"
        case periodDays = "period_days"
    }
}

/// `returns.list_policies`: every policy, optionally of one store (plus the ones covering every store).
public struct ListReturnPolicies: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["store_id"]
    public var storeID: UUID?
    public init(storeID: UUID? = nil) { self.storeID = storeID }
    enum CodingKeys: String, CodingKey { case storeID = "store_id" }
}

/// `returns.list_policies`: the answer.
public struct ReturnPolicyList: Codable, Sendable, Equatable {
    public var policies: [ReturnPolicy]
    public init(policies: [ReturnPolicy]) { self.policies = policies }
}
