import Contracts
import Foundation

/// What a label needs: who sends, where to, and the return it belongs to.
public struct LabelRequest: Sendable, Equatable {
    public var returnID: UUID
    public var orderNumber: String
    public var from: PostalAddress?
    public var to: [String]
    /// A serial unique to this label (the service's sequence), for providers that number labels themselves.
    public var serial: Int64

    public init(returnID: UUID, orderNumber: String, from: PostalAddress?, to: [String], serial: Int64) {
        self.returnID = returnID
        self.orderNumber = orderNumber
        self.from = from
        self.to = to
        self.serial = serial
    }
}

/// A label as a provider made it.
public struct CarrierLabel: Sendable, Equatable {
    public var carrier: String
    public var trackingNumber: String
    public var contentType: String
    public var document: String
}

/// Makes return labels. The lifecycle only calls this; a carrier integration (an API call that buys a label)
/// plugs in as another implementation without touching it.
public protocol CarrierLabelProvider: Sendable {
    func label(for request: LabelRequest) async throws -> CarrierLabel
}

/// The local provider: a printable SVG label made here, with a UPU S10-style tracking number (`CR`, eight digits
/// of the serial, the S10 check digit, `XX`) that a scanner can verify.
public struct LocalLabelProvider: CarrierLabelProvider {
    public init() {}

    public func label(for request: LabelRequest) async throws -> CarrierLabel {
        let tracking = Self.trackingNumber(serial: request.serial)
        let from = request.from.map(Self.lines) ?? ["(sender address on file with the order)"]
        let document = Self.svg(
            tracking: tracking, from: from, to: request.to, returnID: request.returnID.uuidString,
            order: request.orderNumber)
        return CarrierLabel(
            carrier: "local", trackingNumber: tracking, contentType: "image/svg+xml", document: document)
    }

    /// `CR` + the serial's last eight digits + the S10 check digit + `XX`.
    public static func trackingNumber(serial: Int64) -> String {
        let digits = String(format: "%08lld", serial % 100_000_000)
        return "CR\(digits)\(checkDigit(digits))XX"
    }

    /// The UPU S10 check digit of eight digits: weights 8 6 4 2 3 5 9 7, `11 - sum mod 11`, 10 -> 0, 11 -> 5.
    public static func checkDigit(_ digits: String) -> Int {
        let weights = [8, 6, 4, 2, 3, 5, 9, 7]
        let sum = zip(digits.compactMap(\.wholeNumberValue), weights).reduce(0) { $0 + $1.0 * $1.1 }
        let check = 11 - sum % 11
        return check == 10 ? 0 : check == 11 ? 5 : check
    }

    /// Whether `tracking` is a well-formed local tracking number with the right check digit.
    public static func isValid(_ tracking: String) -> Bool {
        let characters = Array(tracking)
        guard characters.count == 13, tracking.hasPrefix("CR"), tracking.hasSuffix("XX") else { return false }
        let digits = String(characters[2..<10])
        guard digits.allSatisfy(\.isNumber), let check = characters[10].wholeNumberValue else { return false }
        return checkDigit(digits) == check
    }

    static func lines(_ address: PostalAddress) -> [String] {
        [
            address.name, address.company, address.line1, address.line2,
            [address.postalCode, address.city].compactMap { $0 }.joined(separator: " "),
            [address.province, address.country ?? address.countryCode].compactMap { $0 }.joined(separator: ", "),
        ].compactMap { $0 }.filter { !$0.isEmpty }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func svg(tracking: String, from: [String], to: [String], returnID: String, order: String) -> String {
        func block(_ title: String, _ lines: [String], y: Int) -> String {
            var text = "<text x=\"20\" y=\"\(y)\" font-size=\"12\" font-weight=\"bold\">\(escape(title))</text>"
            for (index, line) in lines.prefix(7).enumerated() {
                text += "<text x=\"20\" y=\"\(y + 18 * (index + 1))\" font-size=\"14\">\(escape(line))</text>"
            }
            return text
        }
        // A simple scannable-looking bar pattern from the tracking number's characters (visual aid; the number
        // printed below it is what counts).
        var bars = ""
        var x = 20
        for scalar in tracking.unicodeScalars {
            let value = Int(scalar.value)
            for bit in 0..<4 {
                let width = (value >> bit) & 1 == 1 ? 3 : 1
                bars += "<rect x=\"\(x)\" y=\"330\" width=\"\(width)\" height=\"60\"/>"
                x += width + 2
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="400" height="600" viewBox="0 0 400 600">\
            <rect x="1" y="1" width="398" height="598" fill="white" stroke="black" stroke-width="2"/>\
            <text x="20" y="40" font-size="22" font-weight="bold">RETURN</text>\
            \(block("FROM", from, y: 70))\(block("TO", to, y: 200))\
            <g fill="black">\(bars)</g>\
            <text x="20" y="415" font-size="20" font-family="monospace">\(escape(tracking))</text>\
            <text x="20" y="450" font-size="12">Return \(escape(returnID))</text>\
            <text x="20" y="470" font-size="12">Order \(escape(order))</text>\
            </svg>
            """
    }
}
