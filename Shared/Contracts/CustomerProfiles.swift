import Foundation

// MARK: Consent

/// The channels a customer can be contacted on for marketing.
public enum ConsentChannel: String, Codable, Sendable, CaseIterable {
    case email, sms, whatsapp
}

/// The legal basis a consent record rests on (GDPR art. 6).
public enum LegalBasis: String, Codable, Sendable, CaseIterable {
    case consent
    case legitimateInterest = "legitimate_interest"
    case contract
    case legalObligation = "legal_obligation"
}

/// A customer's current consent on one channel: the latest record for it.
public struct ConsentState: Codable, Sendable, Equatable {
    public var channel: ConsentChannel
    public var granted: Bool
    public var legalBasis: LegalBasis
    public var recordedAt: Date
    /// Where the consent was given or withdrawn (`checkout`, `agent`, `shopify`, ...).
    public var source: String?

    /// A consent state.
    public init(channel: ConsentChannel, granted: Bool, legalBasis: LegalBasis, recordedAt: Date, source: String?) {
        self.channel = channel
        self.granted = granted
        self.legalBasis = legalBasis
        self.recordedAt = recordedAt
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case channel, granted, source
        case legalBasis = "legal_basis"
        case recordedAt = "recorded_at"
    }
}

/// `customers.set_consent`: records a consent decision (the history keeps every record).
public struct SetConsent: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["customer_id", "channel", "granted", "legal_basis", "source"]
    public var customerID: UUID
    public var channel: ConsentChannel
    public var granted: Bool
    public var legalBasis: LegalBasis
    public var source: String?

    /// A consent decision.
    public init(
        customerID: UUID, channel: ConsentChannel, granted: Bool, legalBasis: LegalBasis, source: String? = nil
    ) {
        self.customerID = customerID
        self.channel = channel
        self.granted = granted
        self.legalBasis = legalBasis
        self.source = source
    }

    public func validate() -> [FieldIssue] { Validate.optionalText(source, field: "source", max: 200) }

    enum CodingKeys: String, CodingKey {
        case channel, granted, source
        case customerID = "customer_id"
        case legalBasis = "legal_basis"
    }
}

/// The one check every marketing action (loyalty offers, retention campaigns, newsletters) makes before contacting a
/// customer: only an explicit, current grant on that channel allows it.
public enum MarketingPermission {
    /// True when `customer` may receive marketing on `channel`: the latest consent record for the channel grants it,
    /// and the record is neither erased nor merged away (a merged record's survivor must be asked instead).
    public static func allows(_ customer: Customer, on channel: ConsentChannel) -> Bool {
        guard customer.erasedAt == nil, customer.mergedInto == nil else { return false }
        return customer.consents.first(where: { $0.channel == channel })?.granted ?? false
    }

    /// The channels `customer` may receive marketing on.
    public static func channels(for customer: Customer) -> [ConsentChannel] {
        ConsentChannel.allCases.filter { allows(customer, on: $0) }
    }
}

// MARK: Resolve

/// The social networks a contact can arrive from.
public enum SocialNetwork: String, Codable, Sendable, CaseIterable {
    case facebook, instagram, x
}

/// A social handle (`@name`) on one network.
public struct SocialHandle: Codable, Sendable, Equatable {
    public var network: SocialNetwork
    public var handle: String
    /// A handle.
    public init(network: SocialNetwork, handle: String) {
        self.network = network
        self.handle = handle
    }
}

/// `customers.resolve_contact`: the customer known by any of these, created when none is.
public struct ResolveContact: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["email", "phone", "social", "name"]
    public static let nestedFields: [String: Set<String>] = ["social": ["network", "handle"]]
    public var email: String?
    public var phone: String?
    public var social: SocialHandle?
    public var name: String?

    /// A contact; at least one of email, phone and social is required.
    public init(email: String? = nil, phone: String? = nil, social: SocialHandle? = nil, name: String? = nil) {
        self.email = email
        self.phone = phone
        self.social = social
        self.name = name
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if email == nil, phone == nil, social == nil {
            issues.append(FieldIssue("email", "give at least one of email, phone and social"))
        }
        if let email { issues += Validate.email(email) }
        if let phone { issues += Validate.loosePhone(phone) }
        if let social { issues += Validate.text(social.handle, field: "social.handle", max: 100) }
        return issues + Validate.optionalText(name, field: "name", max: 200)
    }
}

/// What `customers.resolve_contact` answers.
public struct ResolvedContact: Codable, Sendable, Equatable {
    public var customer: Customer
    public var created: Bool
    /// A resolved contact.
    public init(customer: Customer, created: Bool) {
        self.customer = customer
        self.created = created
    }
}

// MARK: Update

/// `customers.update`: changes the given fields; an empty string clears a text field. With `expected_version` the
/// change applies only to that version (412 `version_mismatch`, carrying the current record, otherwise).
public struct UpdateCustomer: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = [
        "id", "expected_version", "name", "first_name", "last_name", "phone", "locale", "time_zone", "tags", "note",
        "attributes", "addresses", "add_identities", "remove_identities",
    ]
    public static let nestedFields: [String: Set<String>] = [
        "addresses": [
            "name", "company", "line1", "line2", "city", "province", "province_code", "postal_code", "country",
            "country_code", "phone",
        ],
        "add_identities": ["kind", "value", "store_id"],
        "remove_identities": ["kind", "value", "store_id"],
    ]
    /// The fields a `customer` key may change on its own record.
    public static let selfServiceFields: Set<String> = [
        "id", "expected_version", "name", "first_name", "last_name", "locale", "time_zone", "addresses",
    ]

    public var id: UUID
    public var expectedVersion: Int?
    public var name: String?
    public var firstName: String?
    public var lastName: String?
    public var phone: String?
    public var locale: String?
    public var timeZone: String?
    public var tags: [String]?
    public var note: String?
    public var attributes: [String: String]?
    public var addresses: [PostalAddress]?
    public var addIdentities: [CustomerIdentity]?
    public var removeIdentities: [CustomerIdentity]?

    /// An update of `id`; every other field is optional.
    public init(
        id: UUID, expectedVersion: Int? = nil, name: String? = nil, firstName: String? = nil, lastName: String? = nil,
        phone: String? = nil, locale: String? = nil, timeZone: String? = nil, tags: [String]? = nil,
        note: String? = nil, attributes: [String: String]? = nil, addresses: [PostalAddress]? = nil,
        addIdentities: [CustomerIdentity]? = nil, removeIdentities: [CustomerIdentity]? = nil
    ) {
        self.id = id
        self.expectedVersion = expectedVersion
        self.name = name
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.locale = locale
        self.timeZone = timeZone
        self.tags = tags
        self.note = note
        self.attributes = attributes
        self.addresses = addresses
        self.addIdentities = addIdentities
        self.removeIdentities = removeIdentities
    }

    /// The fields this update sets (JSON names), to check a caller's rights against.
    public var givenFields: Set<String> {
        var fields: Set<String> = ["id"]
        let pairs: [(String, Bool)] = [
            ("expected_version", expectedVersion != nil), ("name", name != nil), ("first_name", firstName != nil),
            ("last_name", lastName != nil), ("phone", phone != nil), ("locale", locale != nil),
            ("time_zone", timeZone != nil), ("tags", tags != nil), ("note", note != nil),
            ("attributes", attributes != nil), ("addresses", addresses != nil),
            ("add_identities", addIdentities != nil), ("remove_identities", removeIdentities != nil),
        ]
        for (field, given) in pairs where given { fields.insert(field) }
        return fields
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let expectedVersion, expectedVersion < 1 { issues.append(FieldIssue("expected_version", "must be >= 1")) }
        issues += Validate.clearableText(name, field: "name", max: 200)
        issues += Validate.clearableText(firstName, field: "first_name", max: 100)
        issues += Validate.clearableText(lastName, field: "last_name", max: 100)
        issues += Validate.clearableText(note, field: "note", max: 10_000)
        if let phone, !phone.isEmpty { issues += Validate.phone(phone) }
        if let locale, !locale.isEmpty, !Validate.isLocale(locale) {
            issues.append(FieldIssue("locale", "must be a BCP 47 language tag such as en-GB"))
        }
        if let timeZone, !timeZone.isEmpty, TimeZone(identifier: timeZone) == nil || timeZone.count > 64 {
            issues.append(FieldIssue("time_zone", "must be an IANA time zone such as Europe/Berlin"))
        }
        if let tags { issues += Validate.tags(tags) }
        if let attributes {
            if attributes.count > 50 { issues.append(FieldIssue("attributes", "must have at most 50 entries")) }
            for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
                issues += Validate.text(key, field: "attributes", max: 64).map { _ in
                    FieldIssue("attributes.\(key.prefix(64))", "keys must be 1 to 64 characters")
                }
                if value.count > 1000 || value.contains("\u{0}") {
                    issues.append(FieldIssue("attributes.\(key.prefix(64))", "must be at most 1000 characters"))
                }
            }
        }
        if let addresses, addresses.count > 20 {
            issues.append(FieldIssue("addresses", "must have at most 20 entries"))
        }
        for (field, list) in [("add_identities", addIdentities), ("remove_identities", removeIdentities)] {
            guard let list else { continue }
            if list.count > 20 { issues.append(FieldIssue(field, "must have at most 20 entries")) }
            for (index, identity) in list.enumerated() {
                issues += Validate.text(identity.value, field: "\(field)[\(index)].value", max: 254)
                let platform = identity.kind == .shopify || identity.kind == .woocommerce
                if platform != (identity.storeID != nil) {
                    issues.append(
                        FieldIssue(
                            "\(field)[\(index)].store_id",
                            platform ? "is required for platform ids" : "is only for platform ids"))
                }
            }
        }
        return issues
    }

    enum CodingKeys: String, CodingKey {
        case id, name, phone, locale, tags, note, attributes, addresses
        case expectedVersion = "expected_version"
        case firstName = "first_name"
        case lastName = "last_name"
        case timeZone = "time_zone"
        case addIdentities = "add_identities"
        case removeIdentities = "remove_identities"
    }
}

// MARK: Search and merge

/// `customers.search`: customers whose email (exact or prefix), phone (normalised, exact), order number (with or
/// without `#`) or name (case-insensitive, contains) matches `q`, oldest first, keyset-paged.
public struct SearchCustomers: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["q", "limit", "cursor"]
    public var q: String
    public var limit: Int?
    public var cursor: String?

    /// A search.
    public init(q: String, limit: Int? = nil, cursor: String? = nil) {
        self.q = q
        self.limit = limit
        self.cursor = cursor
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.text(q, field: "q", max: 200) + Validate.limit(limit)
        if let cursor, KeysetCursor(encoded: cursor) == nil {
            issues.append(FieldIssue("cursor", "is not a valid cursor"))
        }
        return issues
    }
}

/// `customers.merge`: folds the duplicate `source_id` into `target_id`, which survives.
public struct MergeCustomers: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["source_id", "target_id"]
    public var sourceID: UUID
    public var targetID: UUID

    /// A merge.
    public init(sourceID: UUID, targetID: UUID) {
        self.sourceID = sourceID
        self.targetID = targetID
    }

    public func validate() -> [FieldIssue] {
        sourceID == targetID ? [FieldIssue("source_id", "must differ from target_id")] : []
    }

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case targetID = "target_id"
    }
}

// MARK: Validation helpers

extension Validate {
    /// A phone as people type it: digits, spaces, `+`, `-`, `.`, `/` and parentheses, with 3 to 15 digits.
    public static func loosePhone(_ value: String, field: String = "phone") -> [FieldIssue] {
        let allowed = Set("0123456789+-.() /")
        let digits = value.filter(\.isNumber).count
        guard value.count <= 32, value.allSatisfy(allowed.contains), (3...15).contains(digits) else {
            return [FieldIssue(field, "must be a phone number such as +14155550123")]
        }
        return []
    }

    /// An optional text where the empty string means "clear it".
    public static func clearableText(_ value: String?, field: String, max: Int) -> [FieldIssue] {
        guard let value, !value.isEmpty else { return [] }
        return text(value, field: field, max: max)
    }

    /// The shape of a BCP 47 language tag: a 2-3 letter language, then subtags of 1 to 8 letters or digits.
    public static func isLocale(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard value.count <= 35, let language = parts.first, (2...3).contains(language.count),
            language.allSatisfy({ $0.isASCII && $0.isLetter })
        else { return false }
        return parts.dropFirst().allSatisfy { part in
            (1...8).contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }

    /// Tags: at most 50, each 1 to 64 characters.
    public static func tags(_ tags: [String], field: String = "tags") -> [FieldIssue] {
        if tags.count > 50 { return [FieldIssue(field, "must have at most 50 entries")] }
        return tags.enumerated().flatMap { index, tag in text(tag, field: "\(field)[\(index)]", max: 64) }
    }
}

// MARK: Segments

/// A segment's rule: every field is optional and every given field must hold (an empty rule matches everyone).
/// Unknown keys are refused at every level, so a typo never widens a segment silently.
public struct SegmentRule: Codable, Sendable, Equatable {
    /// A lower bound on a customer's lifetime value in one currency.
    public struct MoneyThreshold: Codable, Sendable, Equatable {
        public var amountMinor: Int64
        public var currency: String
        /// A threshold.
        public init(amountMinor: Int64, currency: String) {
            self.amountMinor = amountMinor
            self.currency = currency
        }
        enum CodingKeys: String, CodingKey, CaseIterable {
            case currency
            case amountMinor = "amount_minor"
        }
        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            amountMinor = try container.decode(Int64.self, forKey: .amountMinor)
            currency = try container.decode(String.self, forKey: .currency)
        }
    }

    /// Lower bounds on the RFM scores (1 to 5 each).
    public struct RFMMinimum: Codable, Sendable, Equatable {
        public var recency: Int?
        public var frequency: Int?
        public var monetary: Int?
        /// A minimum.
        public init(recency: Int? = nil, frequency: Int? = nil, monetary: Int? = nil) {
            self.recency = recency
            self.frequency = frequency
            self.monetary = monetary
        }
        enum CodingKeys: String, CodingKey, CaseIterable { case recency, frequency, monetary }
        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            recency = try container.decodeIfPresent(Int.self, forKey: .recency)
            frequency = try container.decodeIfPresent(Int.self, forKey: .frequency)
            monetary = try container.decodeIfPresent(Int.self, forKey: .monetary)
        }
    }

    public var minOrders: Int?
    public var maxOrders: Int?
    public var minLifetimeValue: MoneyThreshold?
    public var maxDaysSinceLastOrder: Int?
    public var minDaysSinceLastOrder: Int?
    public var rfmMin: RFMMinimum?
    public var tagsAny: [String]?
    public var tagsAll: [String]?
    public var vip: Bool?

    /// A rule.
    public init(
        minOrders: Int? = nil, maxOrders: Int? = nil, minLifetimeValue: MoneyThreshold? = nil,
        maxDaysSinceLastOrder: Int? = nil, minDaysSinceLastOrder: Int? = nil, rfmMin: RFMMinimum? = nil,
        tagsAny: [String]? = nil, tagsAll: [String]? = nil, vip: Bool? = nil
    ) {
        self.minOrders = minOrders
        self.maxOrders = maxOrders
        self.minLifetimeValue = minLifetimeValue
        self.maxDaysSinceLastOrder = maxDaysSinceLastOrder
        self.minDaysSinceLastOrder = minDaysSinceLastOrder
        self.rfmMin = rfmMin
        self.tagsAny = tagsAny
        self.tagsAll = tagsAll
        self.vip = vip
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case vip
        case minOrders = "min_orders"
        case maxOrders = "max_orders"
        case minLifetimeValue = "min_lifetime_value"
        case maxDaysSinceLastOrder = "max_days_since_last_order"
        case minDaysSinceLastOrder = "min_days_since_last_order"
        case rfmMin = "rfm_min"
        case tagsAny = "tags_any"
        case tagsAll = "tags_all"
    }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        minOrders = try container.decodeIfPresent(Int.self, forKey: .minOrders)
        maxOrders = try container.decodeIfPresent(Int.self, forKey: .maxOrders)
        minLifetimeValue = try container.decodeIfPresent(MoneyThreshold.self, forKey: .minLifetimeValue)
        maxDaysSinceLastOrder = try container.decodeIfPresent(Int.self, forKey: .maxDaysSinceLastOrder)
        minDaysSinceLastOrder = try container.decodeIfPresent(Int.self, forKey: .minDaysSinceLastOrder)
        rfmMin = try container.decodeIfPresent(RFMMinimum.self, forKey: .rfmMin)
        tagsAny = try container.decodeIfPresent([String].self, forKey: .tagsAny)
        tagsAll = try container.decodeIfPresent([String].self, forKey: .tagsAll)
        vip = try container.decodeIfPresent(Bool.self, forKey: .vip)
    }

    /// Everything wrong with the rule; field names are prefixed with `field`.
    public func validate(field: String = "rule") -> [FieldIssue] {
        var issues: [FieldIssue] = []
        func nonNegative(_ value: Int?, _ name: String) {
            if let value, value < 0 { issues.append(FieldIssue("\(field).\(name)", "must be 0 or more")) }
        }
        nonNegative(minOrders, "min_orders")
        nonNegative(maxOrders, "max_orders")
        nonNegative(maxDaysSinceLastOrder, "max_days_since_last_order")
        nonNegative(minDaysSinceLastOrder, "min_days_since_last_order")
        if let minOrders, let maxOrders, minOrders > maxOrders {
            issues.append(FieldIssue("\(field).max_orders", "must be at least min_orders"))
        }
        if let low = minDaysSinceLastOrder, let high = maxDaysSinceLastOrder, low > high {
            issues.append(
                FieldIssue("\(field).max_days_since_last_order", "must be at least min_days_since_last_order"))
        }
        if let money = minLifetimeValue {
            if money.amountMinor < 0 {
                issues.append(FieldIssue("\(field).min_lifetime_value.amount_minor", "must be 0 or more"))
            }
            if money.currency.count != 3 || !money.currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                issues.append(
                    FieldIssue("\(field).min_lifetime_value.currency", "must be an ISO 4217 code such as EUR"))
            }
        }
        if let rfm = rfmMin {
            for (name, value) in [("recency", rfm.recency), ("frequency", rfm.frequency), ("monetary", rfm.monetary)] {
                if let value, !(1...5).contains(value) {
                    issues.append(FieldIssue("\(field).rfm_min.\(name)", "must be between 1 and 5"))
                }
            }
        }
        if let tagsAny { issues += Validate.tags(tagsAny, field: "\(field).tags_any") }
        if let tagsAll { issues += Validate.tags(tagsAll, field: "\(field).tags_all") }
        return issues
    }
}

/// A named group of customers defined by a rule, listable and usable by other services (SLA by segment, loyalty).
public struct Segment: Codable, Sendable, Equatable {
    /// The slug that names the segment (`lapsed-vips`).
    public var name: String
    public var description: String?
    public var rule: SegmentRule
    public var createdAt: Date
    public var updatedAt: Date

    /// A segment.
    public init(name: String, description: String?, rule: SegmentRule, createdAt: Date, updatedAt: Date) {
        self.name = name
        self.description = description
        self.rule = rule
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case name, description, rule
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `customers.define_segment`: creates or replaces the segment `name`.
public struct DefineSegment: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["name", "description", "rule"]
    public var name: String
    public var description: String?
    public var rule: SegmentRule

    /// A definition.
    public init(name: String, description: String? = nil, rule: SegmentRule) {
        self.name = name
        self.description = description
        self.rule = rule
    }

    public func validate() -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !Validate.isSlug(name) {
            issues.append(FieldIssue("name", "must be a slug: 1 to 64 lower-case letters, digits and dashes"))
        }
        return issues + Validate.optionalText(description, field: "description", max: 500) + rule.validate()
    }
}

/// `customers.list_segments`: every segment, by name (no fields).
public struct ListSegments: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = []
    /// The input.
    public init() {}
}

/// `customers.segment_members`: the customers in the segment `name`, oldest first, keyset-paged. With `consented`,
/// only those whose current consent on that channel is a grant: the audience a marketing action (a campaign, a
/// win-back offer) may contact.
public struct SegmentMembers: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["name", "limit", "cursor", "consented"]
    public var name: String
    public var limit: Int?
    public var cursor: String?
    public var consented: ConsentChannel?

    /// A page request.
    public init(name: String, limit: Int? = nil, cursor: String? = nil, consented: ConsentChannel? = nil) {
        self.name = name
        self.limit = limit
        self.cursor = cursor
        self.consented = consented
    }

    public func validate() -> [FieldIssue] {
        var issues = Validate.limit(limit)
        if !Validate.isSlug(name) { issues.append(FieldIssue("name", "must be a segment name")) }
        if let cursor, KeysetCursor(encoded: cursor) == nil {
            issues.append(FieldIssue("cursor", "is not a valid cursor"))
        }
        return issues
    }
}

extension Validate {
    /// A slug: 1 to 64 characters of `a-z`, `0-9` and `-`, starting with a letter or digit.
    public static func isSlug(_ value: String) -> Bool {
        guard (1...64).contains(value.count), let first = value.first, first != "-" else { return false }
        return value.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }
}

/// Refuses JSON object keys a type does not know, during decoding (so nested objects are strict too).
enum StrictKeys {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func check(_ decoder: any Decoder, allowed: [String]) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let unknown = container.allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted()
        if let first = unknown.first {
            throw DecodingError.dataCorruptedError(
                forKey: AnyKey(stringValue: first), in: container,
                debugDescription: "is not a known field (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}
