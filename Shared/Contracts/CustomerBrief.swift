import Foundation

/// `customers.get_brief`: what another service needs to open work for a customer (a ticket, a return): that the
/// customer exists, how to reach them and which segments they are in. One statement in the customers service, where
/// `customers.get` reads the whole record (identities, statistics, consents).
public struct CustomerBrief: Codable, Sendable, Equatable {
    public var id: UUID
    public var email: String?
    public var name: String?
    /// The segments the customer is in now, by name.
    public var segments: [String]
    /// Set when this record was merged into another (the survivor's id).
    public var mergedInto: UUID?
    public var erasedAt: Date?

    public init(
        id: UUID, email: String?, name: String?, segments: [String], mergedInto: UUID? = nil, erasedAt: Date? = nil
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.segments = segments
        self.mergedInto = mergedInto
        self.erasedAt = erasedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, name, segments
        case mergedInto = "merged_into"
        case erasedAt = "erased_at"
    }
}

extension Operation.Customers {
    /// `customers.get_brief` (`ByID`): a `CustomerBrief`; 404 for an unknown id.
    public static let getBrief = "customers.get_brief"
}
