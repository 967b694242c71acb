/// Exact conversion of the platforms' decimal money strings (`"199.00"`) to integer minor units of an ISO 4217
/// currency. The digits are read as text and never pass through a floating-point number.
public enum MinorUnits {
    /// Why a decimal string is not an amount of money.
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        /// What is wrong with the text (the text itself is not repeated).
        public var reason: String

        /// `invalid amount: <reason>`.
        public var description: String { "invalid amount: \(reason)" }
    }

    private static let zeroDecimal: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF",
        "XOF", "XPF",
    ]
    private static let threeDecimal: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
    private static let fourDecimal: Set<String> = ["CLF", "UYW"]

    /// How many decimal digits one major unit of `currency` has (ISO 4217): 0 for JPY, KRW, ...; 3 for BHD, KWD,
    /// ...; 4 for CLF and UYW; 2 for every other code. The code is compared upper-cased.
    public static func exponent(of currency: String) -> Int {
        let code = currency.uppercased()
        if zeroDecimal.contains(code) { return 0 }
        if threeDecimal.contains(code) { return 3 }
        if fourDecimal.contains(code) { return 4 }
        return 2
    }

    /// The amount `decimal` of `currency` in minor units: `"199.00"` USD is 19900, `"0.1"` USD is 10, `"500"` JPY
    /// is 500, `"1.234"` KWD is 1234, `"-10.00"` USD is -1000.
    ///
    /// The accepted text is an optional `-` or `+`, digits, and optionally `.` and more digits (surrounding spaces
    /// are ignored). Fraction digits beyond the currency's exponent are accepted: trailing zeros change nothing
    /// (`"10.0000"` USD is 1000), and any other extra digits are rounded half to even (banker's rounding) at the
    /// minor unit, because WooCommerce sends tax lines with four or more decimals (`"1.2345"` USD is 123,
    /// `"0.125"` is 12, `"0.135"` is 14). Thousands separators, exponents, empty text and amounts that do not fit
    /// in 64 bits are refused.
    public static func parse(_ decimal: String, currency: String) throws(ParseError) -> Int64 {
        var text = Substring(decimal)
        while let first = text.first, first == " " { text.removeFirst() }
        while let last = text.last, last == " " { text.removeLast() }
        var negative = false
        if let sign = text.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            text.removeFirst()
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerDigits = parts[0]
        let fractionDigits = parts.count > 1 ? parts[1] : ""
        guard !integerDigits.isEmpty || !fractionDigits.isEmpty else {
            throw ParseError(reason: "no digits")
        }
        guard integerDigits.allSatisfy(\.isASCIIDigit), fractionDigits.allSatisfy(\.isASCIIDigit) else {
            throw ParseError(reason: "only digits and one decimal point are allowed")
        }
        let exponent = exponent(of: currency)
        let kept = fractionDigits.prefix(exponent)
        let extra = fractionDigits.dropFirst(exponent)
        let padded = String(kept) + String(repeating: "0", count: exponent - kept.count)

        var magnitude: UInt64 = 0
        for character in integerDigits + padded {
            guard let digit = character.asciiDigitValue else { throw ParseError(reason: "not a digit") }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { throw ParseError(reason: "too large") }
            magnitude = sum
        }
        if roundsUp(extra, lastKeptDigitIsOdd: magnitude % 2 == 1) {
            let (sum, overflow) = magnitude.addingReportingOverflow(1)
            guard !overflow else { throw ParseError(reason: "too large") }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw ParseError(reason: "too large") }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw ParseError(reason: "too large") }
        return Int64(magnitude)
    }

    /// Round half to even: the dropped digits round the kept amount up when they are more than half a minor unit,
    /// or exactly half and the kept amount is odd.
    private static func roundsUp(_ dropped: Substring, lastKeptDigitIsOdd: Bool) -> Bool {
        guard let first = dropped.first?.asciiDigitValue else { return false }
        if first > 5 { return true }
        if first < 5 { return false }
        let restIsZero = dropped.dropFirst().allSatisfy { $0 == "0" }
        return restIsZero ? lastKeptDigitIsOdd : true
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { asciiDigitValue != nil }

    fileprivate var asciiDigitValue: Int? {
        guard let ascii = asciiValue, ascii >= UInt8(ascii: "0"), ascii <= UInt8(ascii: "9") else { return nil }
        return Int(ascii - UInt8(ascii: "0"))
    }
}
