import Foundation

/// The operations each service answers over the broker (see docs/protocol.md).
public enum Operation {
    public enum Customers {
        public static let service = "customers"
        public static let create = "customers.create"
        public static let get = "customers.get"
        public static let findByEmail = "customers.find_by_email"
        public static let timeline = "customers.timeline"
    }

    public enum Tickets {
        public static let service = "tickets"
        public static let create = "tickets.create"
        public static let get = "tickets.get"
        public static let listByCustomer = "tickets.list_by_customer"
        public static let addMessage = "tickets.add_message"
        public static let solve = "tickets.solve"
    }

    public enum Returns {
        public static let service = "returns"
        public static let create = "returns.create"
        public static let get = "returns.get"
    }

    public enum Loyalty {
        public static let service = "loyalty"
        public static let getAccount = "loyalty.get_account"
    }

    /// Every service name, in the order `/readyz` reports them.
    public static let services = [Customers.service, Tickets.service, Returns.service, Loyalty.service]
}

/// The input of operations that take only an id.
public struct ByID: OperationInput, Codable, Equatable {
    public static let fields: Set<String> = ["id"]
    public var id: UUID
    public init(id: UUID) { self.id = id }
}
