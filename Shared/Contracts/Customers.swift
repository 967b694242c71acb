import Foundation

/// A store's customer: the one record every ticket, order, return and point belongs to.
public struct Customer: Codable, Sendable, Equatable {
    public var id: UUID
    public var email: String
    public var name: String?
    public var phone: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, email: String, name: String?, phone: String?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.phone = phone
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, phone
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `customers.create`: creates a customer; the email is unique (case-insensitive).
public struct CreateCustomer: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["email", "name", "phone"]
    public var email: String
    public var name: String?
    public var phone: String?

    public init(email: String, name: String? = nil, phone: String? = nil) {
        self.email = email
        self.name = name
        self.phone = phone
    }

    public func validate() -> [FieldIssue] {
        Validate.email(email) + Validate.optionalText(name, field: "name", max: 200) + Validate.phone(phone)
    }
}

/// `customers.find_by_email`: the customer with this email (case-insensitive), or 404.
public struct FindCustomerByEmail: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["email"]
    public var email: String
    public init(email: String) { self.email = email }
    public func validate() -> [FieldIssue] { Validate.email(email) }
}
