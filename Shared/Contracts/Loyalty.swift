import Foundation

/// A customer's loyalty account. Balances are whole points, derived from the ledger (docs/loyalty.md).
public struct LoyaltyAccount: Codable, Sendable, Equatable {
    public var customerID: UUID
    /// Points that can be redeemed now; negative when a refund reversed points already spent (see `owed`).
    public var available: Int64
    /// Points earned but not yet available (inside an order's return window).
    public var pending: Int64
    /// Every point ever earned, minus what refunds reversed.
    public var lifetime: Int64
    /// Points spent on rewards (net of cancelled rewards).
    public var redeemed: Int64
    /// Points that expired.
    public var expired: Int64
    /// Points the customer owes (the negative part of `available`); future earnings pay it back first.
    public var owed: Int64
    /// The current tier's name; nil when the program has no tiers or none is reached.
    public var tier: String?
    public var createdAt: Date

    public init(
        customerID: UUID, available: Int64, pending: Int64, lifetime: Int64, redeemed: Int64 = 0, expired: Int64 = 0,
        tier: String? = nil, createdAt: Date
    ) {
        self.customerID = customerID
        self.available = available
        self.pending = pending
        self.lifetime = lifetime
        self.redeemed = redeemed
        self.expired = expired
        self.owed = max(0, -available)
        self.tier = tier
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case available, pending, lifetime, redeemed, expired, owed, tier
        case customerID = "customer_id"
        case createdAt = "created_at"
    }
}

/// `loyalty.get_account`: the account of a customer (opened with a zero balance on first use).
public struct GetLoyaltyAccount: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id"]
    public var customerID: UUID
    public init(customerID: UUID) { self.customerID = customerID }
    enum CodingKeys: String, CodingKey { case customerID = "customer_id" }
}

extension Operation.Loyalty {
    public static let listEntries = "loyalty.list_entries"
    public static let getTiers = "loyalty.get_tiers"
    public static let getRules = "loyalty.get_rules"
    public static let listRuleVersions = "loyalty.list_rule_versions"
    public static let publishRules = "loyalty.publish_rules"
    public static let listRewards = "loyalty.list_rewards"
    public static let defineReward = "loyalty.define_reward"
    public static let redeem = "loyalty.redeem"
    public static let cancelRedemption = "loyalty.cancel_redemption"
    public static let listRedemptions = "loyalty.list_redemptions"
    public static let awardBonus = "loyalty.award_bonus"
    public static let grantGoodwill = "loyalty.grant_goodwill"
    public static let listRetentionRules = "loyalty.list_retention_rules"
    public static let defineRetentionRule = "loyalty.define_retention_rule"
    public static let listTasks = "loyalty.list_tasks"
    public static let winBack = "loyalty.win_back"
    public static let verifyLedger = "loyalty.verify_ledger"
    public static let rebuildBalances = "loyalty.rebuild_balances"
}

/// One ledger entry: `amount` points moved from `from_account` to `to_account` (chart of accounts: docs/loyalty.md).
public struct LoyaltyEntry: Codable, Sendable, Equatable {
    public var entryID: UUID
    public var customerID: UUID
    /// `earn`, `release`, `redeem`, `expire`, `reverse`, `adjust`, `goodwill`, `referral` or `transfer`.
    public var kind: String
    /// `order`, `return`, `ticket`, `agent`, `rule`, `reward`, `expiry`, `merge` or `admin`.
    public var source: String
    public var sourceID: String?
    public var fromAccount: String
    public var toAccount: String
    public var amount: Int64
    /// The rule version an earn (or its reversal) used.
    public var ruleVersion: Int?
    public var orderID: UUID?
    public var memo: String
    public var createdAt: Date

    public init(
        entryID: UUID, customerID: UUID, kind: String, source: String, sourceID: String?, fromAccount: String,
        toAccount: String, amount: Int64, ruleVersion: Int?, orderID: UUID?, memo: String, createdAt: Date
    ) {
        self.entryID = entryID
        self.customerID = customerID
        self.kind = kind
        self.source = source
        self.sourceID = sourceID
        self.fromAccount = fromAccount
        self.toAccount = toAccount
        self.amount = amount
        self.ruleVersion = ruleVersion
        self.orderID = orderID
        self.memo = memo
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case kind, source, amount, memo
        case entryID = "entry_id"
        case customerID = "customer_id"
        case sourceID = "source_id"
        case fromAccount = "from_account"
        case toAccount = "to_account"
        case ruleVersion = "rule_version"
        case orderID = "order_id"
        case createdAt = "created_at"
    }
}

/// `loyalty.list_entries`: a customer's ledger, newest first, keyset-paginated.
public typealias ListLoyaltyEntries = CustomerPageRequest

/// A multiplier of the earning rules: lines whose product carries one of `product_tags`, or is in one of
/// `categories` (the product mirror's tags and categories, compared case-insensitively), or whose SKU starts with
/// one of `sku_prefixes`, earn `percent` % of the base points. At least one of the three lists must name something.
public struct EarnMultiplier: Codable, Sendable, Equatable {
    public var name: String
    public var productTags: [String]?
    public var categories: [String]?
    public var skuPrefixes: [String]?
    public var percent: Int

    public init(
        name: String, productTags: [String]? = nil, categories: [String]? = nil, skuPrefixes: [String]? = nil,
        percent: Int
    ) {
        self.name = name
        self.productTags = productTags
        self.categories = categories
        self.skuPrefixes = skuPrefixes
        self.percent = percent
    }

    /// Whether a line of `sku` whose product has `tags` and `categories` earns this multiplier.
    public func matches(sku: String?, tags: [String], categories lineCategories: [String]) -> Bool {
        func overlaps(_ wanted: [String]?, _ have: [String]) -> Bool {
            guard let wanted, !wanted.isEmpty, !have.isEmpty else { return false }
            let lowered = Set(have.map { $0.lowercased() })
            return wanted.contains { lowered.contains($0.lowercased()) }
        }
        if overlaps(productTags, tags) || overlaps(categories, lineCategories) { return true }
        guard let sku else { return false }
        return (skuPrefixes ?? []).contains { sku.hasPrefix($0) }
    }

    enum CodingKeys: String, CodingKey {
        case name, percent, categories
        case productTags = "product_tags"
        case skuPrefixes = "sku_prefixes"
    }
}

/// A campaign: between `starts_at` and `ends_at` (payment time) orders earn `percent` % (on top of multipliers).
public struct EarnCampaign: Codable, Sendable, Equatable {
    public var name: String
    public var startsAt: Date
    public var endsAt: Date
    public var percent: Int

    public init(name: String, startsAt: Date, endsAt: Date, percent: Int) {
        self.name = name
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.percent = percent
    }

    enum CodingKeys: String, CodingKey {
        case name, percent
        case startsAt = "starts_at"
        case endsAt = "ends_at"
    }
}

/// A tier: reached when the qualifying figure over the period is at least `threshold`.
public struct LoyaltyTier: Codable, Sendable, Equatable {
    public var name: String
    /// Points (basis `points`) or minor units spent (basis `spend`).
    public var threshold: Int64
    /// Earn multiplier of the tier, in percent (100 = none).
    public var earnPercent: Int
    /// Benefits the store honours, for example `free_returns`, `free_shipping`.
    public var benefits: [String]

    public init(name: String, threshold: Int64, earnPercent: Int, benefits: [String] = []) {
        self.name = name
        self.threshold = threshold
        self.earnPercent = earnPercent
        self.benefits = benefits
    }

    enum CodingKeys: String, CodingKey {
        case name, threshold, benefits
        case earnPercent = "earn_percent"
    }
}

/// The program's rules; each publication is a new version (earn entries name the version they used).
public struct LoyaltyRules: Codable, Sendable, Equatable {
    /// Points per whole currency unit (`unit_minor` minor units) of the earning basis.
    public var pointsPerUnit: Int
    public var unitMinor: Int
    /// When true the basis is the order total (shipping and tax included); otherwise the sum of the order lines,
    /// which are net of discounts and exclude shipping and tax.
    public var includeShippingAndTax: Bool
    public var multipliers: [EarnMultiplier]
    public var campaigns: [EarnCampaign]
    /// One-off bonuses in points (0 = none): sign-up, birthday (once a year), review (once per review), referral
    /// (both sides, once per referred customer).
    public var signupBonus: Int64
    public var birthdayBonus: Int64
    public var reviewBonus: Int64
    public var referrerBonus: Int64
    public var refereeBonus: Int64
    /// Tiers, lowest first; empty for a program without tiers.
    public var tiers: [LoyaltyTier]
    /// `points` or `spend`.
    public var tierBasis: String
    /// `rolling_12_months` or `calendar_year`.
    public var tierPeriod: String
    /// `never`, `period_end` or `grace`.
    public var tierDowngrade: String
    public var tierGraceDays: Int
    /// `none`, `age` (points expire `expiry_days` after they became available) or `inactivity` (all available
    /// points expire after `expiry_days` without an order or redemption).
    public var expiryMode: String
    public var expiryDays: Int
    /// The `loyalty.expiry_warning` goes out this many days before points expire.
    public var expiryWarningDays: Int
    /// Goodwill caps: per agent per day and per customer per 30 days.
    public var goodwillAgentDailyCap: Int64
    public var goodwillCustomerMonthlyCap: Int64

    public init(
        pointsPerUnit: Int = 1, unitMinor: Int = 100, includeShippingAndTax: Bool = false,
        multipliers: [EarnMultiplier] = [], campaigns: [EarnCampaign] = [], signupBonus: Int64 = 0,
        birthdayBonus: Int64 = 0, reviewBonus: Int64 = 0, referrerBonus: Int64 = 0, refereeBonus: Int64 = 0,
        tiers: [LoyaltyTier] = [], tierBasis: String = "points", tierPeriod: String = "rolling_12_months",
        tierDowngrade: String = "period_end", tierGraceDays: Int = 30, expiryMode: String = "none",
        expiryDays: Int = 365, expiryWarningDays: Int = 30, goodwillAgentDailyCap: Int64 = 5000,
        goodwillCustomerMonthlyCap: Int64 = 2000
    ) {
        self.pointsPerUnit = pointsPerUnit
        self.unitMinor = unitMinor
        self.includeShippingAndTax = includeShippingAndTax
        self.multipliers = multipliers
        self.campaigns = campaigns
        self.signupBonus = signupBonus
        self.birthdayBonus = birthdayBonus
        self.reviewBonus = reviewBonus
        self.referrerBonus = referrerBonus
        self.refereeBonus = refereeBonus
        self.tiers = tiers
        self.tierBasis = tierBasis
        self.tierPeriod = tierPeriod
        self.tierDowngrade = tierDowngrade
        self.tierGraceDays = tierGraceDays
        self.expiryMode = expiryMode
        self.expiryDays = expiryDays
        self.expiryWarningDays = expiryWarningDays
        self.goodwillAgentDailyCap = goodwillAgentDailyCap
        self.goodwillCustomerMonthlyCap = goodwillCustomerMonthlyCap
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case multipliers, campaigns, tiers
        case pointsPerUnit = "points_per_unit"
        case unitMinor = "unit_minor"
        case includeShippingAndTax = "include_shipping_and_tax"
        case signupBonus = "signup_bonus"
        case birthdayBonus = "birthday_bonus"
        case reviewBonus = "review_bonus"
        case referrerBonus = "referrer_bonus"
        case refereeBonus = "referee_bonus"
        case tierBasis = "tier_basis"
        case tierPeriod = "tier_period"
        case tierDowngrade = "tier_downgrade"
        case tierGraceDays = "tier_grace_days"
        case expiryMode = "expiry_mode"
        case expiryDays = "expiry_days"
        case expiryWarningDays = "expiry_warning_days"
        case goodwillAgentDailyCap = "goodwill_agent_daily_cap"
        case goodwillCustomerMonthlyCap = "goodwill_customer_monthly_cap"
    }

    /// Every omitted field takes its default, so a publication names only what it changes from the defaults.
    public init(from decoder: any Decoder) throws {
        let defaults = LoyaltyRules()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pointsPerUnit = try c.decodeIfPresent(Int.self, forKey: .pointsPerUnit) ?? defaults.pointsPerUnit
        unitMinor = try c.decodeIfPresent(Int.self, forKey: .unitMinor) ?? defaults.unitMinor
        includeShippingAndTax = try c.decodeIfPresent(Bool.self, forKey: .includeShippingAndTax) ?? false
        multipliers = try c.decodeIfPresent([EarnMultiplier].self, forKey: .multipliers) ?? []
        campaigns = try c.decodeIfPresent([EarnCampaign].self, forKey: .campaigns) ?? []
        signupBonus = try c.decodeIfPresent(Int64.self, forKey: .signupBonus) ?? 0
        birthdayBonus = try c.decodeIfPresent(Int64.self, forKey: .birthdayBonus) ?? 0
        reviewBonus = try c.decodeIfPresent(Int64.self, forKey: .reviewBonus) ?? 0
        referrerBonus = try c.decodeIfPresent(Int64.self, forKey: .referrerBonus) ?? 0
        refereeBonus = try c.decodeIfPresent(Int64.self, forKey: .refereeBonus) ?? 0
        tiers = try c.decodeIfPresent([LoyaltyTier].self, forKey: .tiers) ?? []
        tierBasis = try c.decodeIfPresent(String.self, forKey: .tierBasis) ?? defaults.tierBasis
        tierPeriod = try c.decodeIfPresent(String.self, forKey: .tierPeriod) ?? defaults.tierPeriod
        tierDowngrade = try c.decodeIfPresent(String.self, forKey: .tierDowngrade) ?? defaults.tierDowngrade
        tierGraceDays = try c.decodeIfPresent(Int.self, forKey: .tierGraceDays) ?? defaults.tierGraceDays
        expiryMode = try c.decodeIfPresent(String.self, forKey: .expiryMode) ?? defaults.expiryMode
        expiryDays = try c.decodeIfPresent(Int.self, forKey: .expiryDays) ?? defaults.expiryDays
        expiryWarningDays = try c.decodeIfPresent(Int.self, forKey: .expiryWarningDays) ?? defaults.expiryWarningDays
        goodwillAgentDailyCap =
            try c.decodeIfPresent(Int64.self, forKey: .goodwillAgentDailyCap) ?? defaults.goodwillAgentDailyCap
        goodwillCustomerMonthlyCap =
            try c.decodeIfPresent(Int64.self, forKey: .goodwillCustomerMonthlyCap)
            ?? defaults.goodwillCustomerMonthlyCap
    }

    /// Everything wrong with the rules (field names prefixed with `rules.`).
    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        func check(_ ok: Bool, _ field: String, _ message: String) {
            if !ok { issues.append(FieldIssue("rules.\(field)", message)) }
        }
        check((0...10_000).contains(pointsPerUnit), "points_per_unit", "must be between 0 and 10000")
        check([1, 10, 100, 1000].contains(unitMinor), "unit_minor", "must be 1, 10, 100 or 1000")
        func label(_ value: String) -> Bool { !value.isEmpty && value.count <= 100 && !value.contains("\u{0}") }
        for (index, multiplier) in multipliers.enumerated() {
            check((0...1000).contains(multiplier.percent), "multipliers[\(index)].percent", "must be 0 to 1000")
            let lists = [
                ("product_tags", multiplier.productTags), ("categories", multiplier.categories),
                ("sku_prefixes", multiplier.skuPrefixes),
            ]
            for (field, list) in lists {
                guard let list else { continue }
                check(
                    list.count <= 100 && list.allSatisfy(label), "multipliers[\(index)].\(field)",
                    "must name at most 100 values of 1 to 100 characters")
            }
            check(
                lists.contains { !($0.1 ?? []).isEmpty }, "multipliers[\(index)]",
                "must name product_tags, categories or sku_prefixes")
            check(label(multiplier.name), "multipliers[\(index)].name", "must be 1 to 100 characters")
        }
        check(multipliers.count <= 100, "multipliers", "at most 100")
        check(campaigns.count <= 100, "campaigns", "at most 100")
        check(tiers.count <= 20, "tiers", "at most 20")
        for (index, campaign) in campaigns.enumerated() {
            check(label(campaign.name), "campaigns[\(index)].name", "must be 1 to 100 characters")
            check((0...1000).contains(campaign.percent), "campaigns[\(index)].percent", "must be 0 to 1000")
            check(campaign.startsAt < campaign.endsAt, "campaigns[\(index)].ends_at", "must be after starts_at")
        }
        for (name, value) in [
            ("signup_bonus", signupBonus), ("birthday_bonus", birthdayBonus), ("review_bonus", reviewBonus),
            ("referrer_bonus", referrerBonus), ("referee_bonus", refereeBonus),
            ("goodwill_agent_daily_cap", goodwillAgentDailyCap),
            ("goodwill_customer_monthly_cap", goodwillCustomerMonthlyCap),
        ] {
            check((0...1_000_000).contains(value), name, "must be between 0 and 1000000")
        }
        for (index, tier) in tiers.enumerated() {
            check(
                label(tier.name) && tier.name.count <= 40, "tiers[\(index)].name", "must be 1 to 40 characters")
            check(
                tier.benefits.count <= 20 && tier.benefits.allSatisfy(label), "tiers[\(index)].benefits",
                "at most 20 of 1 to 100 characters")
            check(tier.threshold >= 0, "tiers[\(index)].threshold", "must be 0 or more")
            check((100...1000).contains(tier.earnPercent), "tiers[\(index)].earn_percent", "must be 100 to 1000")
            if index > 0 {
                check(tier.threshold > tiers[index - 1].threshold, "tiers[\(index)].threshold", "must increase")
            }
        }
        check(Set(tiers.map(\.name)).count == tiers.count, "tiers", "names must be unique")
        check(["points", "spend"].contains(tierBasis), "tier_basis", "must be points or spend")
        check(
            ["rolling_12_months", "calendar_year"].contains(tierPeriod), "tier_period",
            "must be rolling_12_months or calendar_year")
        check(
            ["never", "period_end", "grace"].contains(tierDowngrade), "tier_downgrade",
            "must be never, period_end or grace")
        check((0...365).contains(tierGraceDays), "tier_grace_days", "must be 0 to 365")
        check(["none", "age", "inactivity"].contains(expiryMode), "expiry_mode", "must be none, age or inactivity")
        check((1...3650).contains(expiryDays), "expiry_days", "must be 1 to 3650")
        check(
            (0...365).contains(expiryWarningDays) && expiryWarningDays < expiryDays, "expiry_warning_days",
            "must be 0 to 365 and less than expiry_days")
        return issues
    }
}

/// One published version of the rules.
public struct LoyaltyRuleVersion: Codable, Sendable, Equatable {
    public var version: Int
    public var rules: LoyaltyRules
    public var publishedBy: String?
    public var createdAt: Date

    public init(version: Int, rules: LoyaltyRules, publishedBy: String?, createdAt: Date) {
        self.version = version
        self.rules = rules
        self.publishedBy = publishedBy
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case version, rules
        case publishedBy = "published_by"
        case createdAt = "created_at"
    }
}

/// `loyalty.get_tiers`: the tiers of the rules in force and how they are kept.
public struct LoyaltyTierProgram: Codable, Sendable, Equatable {
    public var ruleVersion: Int
    public var tiers: [LoyaltyTier]
    public var basis: String
    public var period: String
    public var downgrade: String
    public var graceDays: Int

    public init(version: LoyaltyRuleVersion) {
        ruleVersion = version.version
        tiers = version.rules.tiers
        basis = version.rules.tierBasis
        period = version.rules.tierPeriod
        downgrade = version.rules.tierDowngrade
        graceDays = version.rules.tierGraceDays
    }

    enum CodingKeys: String, CodingKey {
        case tiers, basis, period, downgrade
        case ruleVersion = "rule_version"
        case graceDays = "grace_days"
    }
}

/// `loyalty.publish_rules`: a new version of the rules (admins).
public struct PublishLoyaltyRules: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["rules"]
    public static var nestedFields: [String: Set<String>] {
        ["rules": Set(LoyaltyRules.CodingKeys.allCases.map(\.rawValue))]
    }
    public var rules: LoyaltyRules
    public init(rules: LoyaltyRules) { self.rules = rules }
    public func validate() -> [FieldIssue] { rules.validate() }
}

/// Inputs without fields (`loyalty.get_rules`, `loyalty.list_rewards`, ...).
public struct LoyaltyNoInput: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = []
    public init() {}
}

/// A reward of the catalogue.
public struct LoyaltyReward: Codable, Sendable, Equatable {
    public var rewardID: UUID
    public var name: String
    /// `fixed_discount` (`value_minor` + `currency`), `percentage_discount` (`percent`), `free_shipping` or
    /// `product` (`product_sku`).
    public var kind: String
    public var pointsCost: Int64
    public var valueMinor: Int64?
    public var currency: String?
    public var percent: Int?
    public var productSKU: String?
    /// Days an issued code stays valid.
    public var validDays: Int
    public var active: Bool

    public init(
        rewardID: UUID, name: String, kind: String, pointsCost: Int64, valueMinor: Int64?, currency: String?,
        percent: Int?, productSKU: String?, validDays: Int, active: Bool
    ) {
        self.rewardID = rewardID
        self.name = name
        self.kind = kind
        self.pointsCost = pointsCost
        self.valueMinor = valueMinor
        self.currency = currency
        self.percent = percent
        self.productSKU = productSKU
        self.validDays = validDays
        self.active = active
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, currency, percent, active
        case rewardID = "reward_id"
        case pointsCost = "points_cost"
        case valueMinor = "value_minor"
        case productSKU = "product_sku"
        case validDays = "valid_days"
    }
}

/// `loyalty.define_reward`: creates (no `reward_id`) or replaces a reward (admins).
public struct DefineLoyaltyReward: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "reward_id", "name", "kind", "points_cost", "value_minor", "currency", "percent", "product_sku", "valid_days",
        "active",
    ]
    public var rewardID: UUID?
    public var name: String
    public var kind: String
    public var pointsCost: Int64
    public var valueMinor: Int64?
    public var currency: String?
    public var percent: Int?
    public var productSKU: String?
    public var validDays: Int?
    public var active: Bool?

    public init(
        rewardID: UUID? = nil, name: String, kind: String, pointsCost: Int64, valueMinor: Int64? = nil,
        currency: String? = nil, percent: Int? = nil, productSKU: String? = nil, validDays: Int? = nil,
        active: Bool? = nil
    ) {
        self.rewardID = rewardID
        self.name = name
        self.kind = kind
        self.pointsCost = pointsCost
        self.valueMinor = valueMinor
        self.currency = currency
        self.percent = percent
        self.productSKU = productSKU
        self.validDays = validDays
        self.active = active
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(name, field: "name", max: 200)
        if pointsCost <= 0 || pointsCost > 10_000_000 {
            issues.append(FieldIssue("points_cost", "must be between 1 and 10000000"))
        }
        if let validDays, !(1...3650).contains(validDays) {
            issues.append(FieldIssue("valid_days", "must be between 1 and 3650"))
        }
        if let percent, !(1...100).contains(percent) { issues.append(FieldIssue("percent", "must be 1 to 100")) }
        if let valueMinor, valueMinor <= 0 || valueMinor > 100_000_000_000 {
            issues.append(FieldIssue("value_minor", "must be positive"))
        }
        if kind != "product" { issues += Validate.optionalText(productSKU, field: "product_sku", max: 100) }
        if kind != "fixed_discount", let currency,
            currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase })
        {
            issues.append(FieldIssue("currency", "must be an ISO 4217 code such as EUR"))
        }
        switch kind {
        case "fixed_discount":
            if valueMinor == nil { issues.append(FieldIssue("value_minor", "is required")) }
            if let currency, currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            } else {
                issues.append(FieldIssue("currency", "must be an ISO 4217 code such as EUR"))
            }
        case "percentage_discount":
            if percent == nil { issues.append(FieldIssue("percent", "is required")) }
        case "free_shipping": break
        case "product":
            issues += Validate.text(productSKU ?? "", field: "product_sku", max: 100)
        default:
            issues.append(
                FieldIssue("kind", "must be fixed_discount, percentage_discount, free_shipping or product"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, currency, percent, active
        case rewardID = "reward_id"
        case pointsCost = "points_cost"
        case valueMinor = "value_minor"
        case productSKU = "product_sku"
        case validDays = "valid_days"
    }
}

/// A code issued for a reward.
public struct LoyaltyRedemption: Codable, Sendable, Equatable {
    public var redemptionID: UUID
    public var customerID: UUID
    public var rewardID: UUID
    public var code: String
    public var points: Int64
    /// `issued` or `cancelled`.
    public var status: String
    /// `not_pushed` until a store-platform publisher has created the code in the store.
    public var pushStatus: String
    public var expiresAt: Date
    public var createdAt: Date

    public init(
        redemptionID: UUID, customerID: UUID, rewardID: UUID, code: String, points: Int64, status: String,
        pushStatus: String, expiresAt: Date, createdAt: Date
    ) {
        self.redemptionID = redemptionID
        self.customerID = customerID
        self.rewardID = rewardID
        self.code = code
        self.points = points
        self.status = status
        self.pushStatus = pushStatus
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case code, points, status
        case redemptionID = "redemption_id"
        case customerID = "customer_id"
        case rewardID = "reward_id"
        case pushStatus = "push_status"
        case expiresAt = "expires_at"
        case createdAt = "created_at"
    }
}

/// `loyalty.redeem`: spends the reward's points and issues a code (the customer themselves or staff).
public struct RedeemReward: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id", "reward_id"]
    public var customerID: UUID
    public var rewardID: UUID

    public init(customerID: UUID, rewardID: UUID) {
        self.customerID = customerID
        self.rewardID = rewardID
    }

    enum CodingKeys: String, CodingKey {
        case customerID = "customer_id"
        case rewardID = "reward_id"
    }
}

/// `loyalty.cancel_redemption`: cancels an unused code and refunds its points.
public struct CancelRedemption: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id", "redemption_id"]
    public var customerID: UUID
    public var redemptionID: UUID

    public init(customerID: UUID, redemptionID: UUID) {
        self.customerID = customerID
        self.redemptionID = redemptionID
    }

    enum CodingKeys: String, CodingKey {
        case customerID = "customer_id"
        case redemptionID = "redemption_id"
    }
}

/// `loyalty.award_bonus`: a one-off bonus of the rules (`birthday`, `review`, `referral`), once per reference.
public struct AwardLoyaltyBonus: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id", "kind", "reference", "referred_customer_id"]
    public var customerID: UUID
    /// `birthday` (once per calendar year), `review` (once per `reference`, the review's id) or `referral`
    /// (`customer_id` referred `referred_customer_id`; both get their bonus once per referred customer).
    public var kind: String
    public var reference: String?
    public var referredCustomerID: UUID?

    public init(customerID: UUID, kind: String, reference: String? = nil, referredCustomerID: UUID? = nil) {
        self.customerID = customerID
        self.kind = kind
        self.reference = reference
        self.referredCustomerID = referredCustomerID
    }

    public func validate() -> [FieldIssue] {
        if reference != nil, kind != "review" {
            let issues = Validate.optionalText(reference, field: "reference", max: 200)
            if !issues.isEmpty { return issues }
        }
        switch kind {
        case "birthday": return []
        case "review": return Validate.text(reference ?? "", field: "reference", max: 200)
        case "referral":
            guard let referredCustomerID else { return [FieldIssue("referred_customer_id", "is required")] }
            return referredCustomerID == customerID
                ? [FieldIssue("referred_customer_id", "must be another customer")] : []
        default: return [FieldIssue("kind", "must be birthday, review or referral")]
        }
    }

    enum CodingKeys: String, CodingKey {
        case kind, reference
        case customerID = "customer_id"
        case referredCustomerID = "referred_customer_id"
    }
}

/// `loyalty.grant_goodwill`: an agent credits points to the customer of a ticket, within the caps.
public struct GrantGoodwill: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["ticket_id", "customer_id", "points", "reason"]
    public var ticketID: UUID
    public var customerID: UUID
    public var points: Int64
    public var reason: String

    public init(ticketID: UUID, customerID: UUID, points: Int64, reason: String) {
        self.ticketID = ticketID
        self.customerID = customerID
        self.points = points
        self.reason = reason
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(reason, field: "reason", max: 500)
        if !(1...1_000_000).contains(points) { issues.append(FieldIssue("points", "must be between 1 and 1000000")) }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case points, reason
        case ticketID = "ticket_id"
        case customerID = "customer_id"
    }
}

/// The answer of `loyalty.grant_goodwill`.
public struct GoodwillGrant: Codable, Sendable, Equatable {
    public var grantID: UUID
    public var entryID: UUID
    public var customerID: UUID
    public var ticketID: UUID
    public var agent: String
    public var points: Int64
    public var reason: String
    public var createdAt: Date

    public init(
        grantID: UUID, entryID: UUID, customerID: UUID, ticketID: UUID, agent: String, points: Int64, reason: String,
        createdAt: Date
    ) {
        self.grantID = grantID
        self.entryID = entryID
        self.customerID = customerID
        self.ticketID = ticketID
        self.agent = agent
        self.points = points
        self.reason = reason
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case agent, points, reason
        case grantID = "grant_id"
        case entryID = "entry_id"
        case customerID = "customer_id"
        case ticketID = "ticket_id"
        case createdAt = "created_at"
    }
}

/// A retention rule: what a trigger grants, once per case.
public struct RetentionRule: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "trigger", "enabled", "points", "reward_id", "open_task", "max_rating", "late_after_hours",
    ]
    /// `low_csat` (a CSAT answer at or below `max_rating`), `sla_breached`, `late_delivery` (fulfilled more than
    /// `late_after_hours` after payment) or `return_declined`.
    public var trigger: String
    public var enabled: Bool
    public var points: Int64
    public var rewardID: UUID?
    public var openTask: Bool
    public var maxRating: Int?
    public var lateAfterHours: Int?

    public init(
        trigger: String, enabled: Bool = true, points: Int64, rewardID: UUID? = nil, openTask: Bool = true,
        maxRating: Int? = nil, lateAfterHours: Int? = nil
    ) {
        self.trigger = trigger
        self.enabled = enabled
        self.points = points
        self.rewardID = rewardID
        self.openTask = openTask
        self.maxRating = maxRating
        self.lateAfterHours = lateAfterHours
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !["low_csat", "sla_breached", "late_delivery", "return_declined"].contains(trigger) {
            issues.append(FieldIssue("trigger", "must be low_csat, sla_breached, late_delivery or return_declined"))
        }
        if !(0...1_000_000).contains(points) { issues.append(FieldIssue("points", "must be 0 to 1000000")) }
        if trigger == "low_csat", !(1...5).contains(maxRating ?? 2) {
            issues.append(FieldIssue("max_rating", "must be 1 to 5"))
        }
        if trigger == "late_delivery", !(1...2160).contains(lateAfterHours ?? 120) {
            issues.append(FieldIssue("late_after_hours", "must be 1 to 2160"))
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case trigger, enabled, points
        case rewardID = "reward_id"
        case openTask = "open_task"
        case maxRating = "max_rating"
        case lateAfterHours = "late_after_hours"
    }
}

/// A follow-up task a retention rule opened, for agents.
public struct LoyaltyTask: Codable, Sendable, Equatable {
    public var taskID: UUID
    public var customerID: UUID
    public var trigger: String
    public var caseKey: String
    public var summary: String
    public var status: String
    public var createdAt: Date

    public init(
        taskID: UUID, customerID: UUID, trigger: String, caseKey: String, summary: String, status: String,
        createdAt: Date
    ) {
        self.taskID = taskID
        self.customerID = customerID
        self.trigger = trigger
        self.caseKey = caseKey
        self.summary = summary
        self.status = status
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case trigger, summary, status
        case taskID = "task_id"
        case customerID = "customer_id"
        case caseKey = "case_key"
        case createdAt = "created_at"
    }
}

/// `loyalty.list_tasks`: open follow-up tasks, oldest first (`cursor` continues).
public struct ListLoyaltyTasks: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["limit", "cursor", "status"]
    public var limit: Int?
    public var cursor: String?
    public var status: String?

    public init(limit: Int? = nil, cursor: String? = nil, status: String? = nil) {
        self.limit = limit
        self.cursor = cursor
        self.status = status
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.limit(limit)
        if let cursor, KeysetCursor(encoded: cursor) == nil { issues.append(FieldIssue("cursor", "is not valid")) }
        if let status, !["open", "done"].contains(status) {
            issues.append(FieldIssue("status", "must be open or done"))
        }
        return issues
    }
}

/// `loyalty.win_back`: customers without an order for `days` days (who ordered at least once), from the customers
/// service's segment `win-back-<days>d`.
public struct WinBackList: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["days", "limit", "cursor", "consented"]
    public var days: Int
    public var limit: Int?
    public var cursor: String?
    public var consented: ConsentChannel?

    public init(days: Int, limit: Int? = nil, cursor: String? = nil, consented: ConsentChannel? = nil) {
        self.days = days
        self.limit = limit
        self.cursor = cursor
        self.consented = consented
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.limit(limit)
        if !(1...3650).contains(days) { issues.append(FieldIssue("days", "must be between 1 and 3650")) }
        return issues
    }
}

/// The answer of `loyalty.verify_ledger` and `loyalty.rebuild_balances`.
public struct LedgerCheck: Codable, Sendable, Equatable {
    /// Accounts compared.
    public var accounts: Int
    public var entries: Int
    /// Accounts whose cached balances differed from the entries (before a rebuild corrected them).
    public var mismatched: [UUID]
    /// Whether every entry moves points between two different accounts (double entry) and the program accounts
    /// mirror the customer buckets exactly.
    public var balanced: Bool

    public init(accounts: Int, entries: Int, mismatched: [UUID], balanced: Bool) {
        self.accounts = accounts
        self.entries = entries
        self.mismatched = mismatched
        self.balanced = balanced
    }
}
