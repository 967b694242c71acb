import Foundation

/// Money for people (summaries, timeline lines, error details): `19900 USD` is `199.00 USD`, `500 JPY` is `500 JPY` (exact, integer arithmetic only).
public enum MoneyText {
    /// ISO 4217 currencies whose minor unit is not the usual hundredth.
    private static let exponents: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
        "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    ]

    /// `amount` with its currency's decimals and code.
    public static func format(_ amount: Money) -> String {
        let exponent = exponents[amount.currency.uppercased()] ?? 2
        let negative = amount.amountMinor < 0
        let magnitude = amount.amountMinor.magnitude
        guard exponent > 0 else { return "\(negative ? "-" : "")\(magnitude) \(amount.currency)" }
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let fraction = String(magnitude % divisor)
        let padded = String(repeating: "0", count: exponent - fraction.count) + fraction
        return "\(negative ? "-" : "")\(magnitude / divisor).\(padded) \(amount.currency)"
    }
}
