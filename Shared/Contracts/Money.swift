import Foundation

/// An amount of money: integer minor units (cents, yen, fils) of an ISO 4217 currency. Never a floating-point number.
public struct Money: Codable, Sendable, Equatable, Hashable {
    /// The amount in the currency's minor unit (`19900` is 199.00 USD; `500` is 500 JPY).
    public var amountMinor: Int64
    /// The ISO 4217 code, upper case (`USD`, `EUR`, `JPY`).
    public var currency: String

    public init(amountMinor: Int64, currency: String) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    enum CodingKeys: String, CodingKey {
        case currency
        case amountMinor = "amount_minor"
    }
}
