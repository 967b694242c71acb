import StorePlatforms
import Testing

@Suite("StorePlatforms minor units")
struct MinorUnitsTests {
    @Test(
        "ISO 4217 exponents",
        arguments: [
            ("USD", 2), ("eur", 2), ("JPY", 0), ("KRW", 0), ("VND", 0), ("XOF", 0), ("CLP", 0), ("UYI", 0),
            ("KWD", 3), ("BHD", 3), ("TND", 3), ("CLF", 4), ("UYW", 4), ("XXX", 2),
        ])
    func exponents(currency: String, exponent: Int) {
        #expect(MinorUnits.exponent(of: currency) == exponent)
    }

    @Test(
        "decimal strings convert exactly",
        arguments: [
            ("199.00", "USD", Int64(19900)), ("0.1", "USD", 10), ("5", "USD", 500), ("-10.00", "USD", -1000),
            ("500", "JPY", 500), ("1.234", "KWD", 1234), ("10.0000", "USD", 1000), ("0.00", "USD", 0),
            (".5", "USD", 50), ("+3.10", "EUR", 310), (" 7.25 ", "USD", 725), ("1.2345", "CLF", 12345),
            ("92233720368547758.07", "USD", Int64.max), ("-92233720368547758.08", "USD", Int64.min),
            ("0.30000000000000004", "USD", 30), ("12.340", "KWD", 12340),
        ])
    func exact(text: String, currency: String, minor: Int64) throws {
        #expect(try MinorUnits.parse(text, currency: currency) == minor)
    }

    @Test(
        "extra fraction digits round half to even",
        arguments: [
            ("0.125", "USD", Int64(12)), ("0.135", "USD", 14), ("0.1250001", "USD", 13), ("1.2345", "USD", 123),
            ("1.2355", "USD", 124), ("1.2349", "USD", 123), ("-0.125", "USD", -12), ("-0.135", "USD", -14),
            ("2.5", "JPY", 2), ("3.5", "JPY", 4), ("0.9999", "USD", 100), ("1.23450", "KWD", 1234),
            ("1.23451", "KWD", 1235),
        ])
    func rounding(text: String, currency: String, minor: Int64) throws {
        #expect(try MinorUnits.parse(text, currency: currency) == minor)
    }

    @Test(
        "garbage is refused",
        arguments: [
            "", " ", "1,00", "1e3", "abc", "--1", "-", "+", ".", "1.2.3", "0x10", "1 000", "١٢", "NaN", "Infinity",
            "92233720368547758.08", "-92233720368547758.09", "99999999999999999999", "12.3-",
        ])
    func refusals(text: String) {
        #expect(throws: MinorUnits.ParseError.self) { try MinorUnits.parse(text, currency: "USD") }
    }

    @Test("rounding up at the very top overflows instead of wrapping")
    func roundingOverflow() {
        #expect(throws: MinorUnits.ParseError.self) {
            try MinorUnits.parse("92233720368547758.075", currency: "USD")
        }
    }

    @Test("the error says what is wrong without repeating the text")
    func errorMessage() {
        do {
            _ = try MinorUnits.parse("secret 1,00", currency: "USD")
            Issue.record("expected a refusal")
        } catch {
            #expect(!error.description.contains("secret"))
            #expect(error.description.hasPrefix("invalid amount"))
        }
    }
}
