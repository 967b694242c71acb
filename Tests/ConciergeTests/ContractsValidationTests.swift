import Contracts
import Foundation
import Testing

@Suite("Contracts: input validation rules")
struct ContractsValidationTests {
    @Test(arguments: ["a@b.co", "first.last+tag@shop.example.com", "X@Y.ORG"])
    func acceptsEmails(email: String) {
        #expect(Validate.email(email).isEmpty)
    }

    @Test(arguments: [
        "", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a@b@c.com", "a b@c.com", "a@.com", "a@com.",
        String(repeating: "a", count: 250) + "@b.co",
    ])
    func refusesEmails(email: String) {
        #expect(Validate.email(email) == [FieldIssue("email", "must be an email address")])
    }

    @Test(arguments: ["+14155550123", "+12345678", "+123456789012345"])
    func acceptsE164Phones(phone: String) {
        #expect(Validate.phone(phone).isEmpty)
    }

    @Test(arguments: [
        "14155550123", "+1234567", "+1234567890123456", "+1415555012a", "+1 415 555 0123", "+", "",
        "+١٢٣٤٥٦٧٨٩",
    ])
    func refusesNonE164Phones(phone: String) {
        #expect(Validate.phone(phone).map(\.field) == ["phone"])
    }

    @Test func absentPhoneAndNameAreFine() {
        #expect(CreateCustomer(email: "a@b.co").validate().isEmpty)
    }

    @Test func customerReportsEveryBadField() {
        let issues = CreateCustomer(email: "nope", name: "   ", phone: "123").validate()
        #expect(issues.map(\.field) == ["email", "name", "phone"])
        #expect(issues[1].message == "must not be blank")
    }

    @Test func textMustNotBeBlankOrTooLong() {
        #expect(Validate.text(" \n\t", field: "subject", max: 10) == [FieldIssue("subject", "must not be blank")])
        #expect(
            Validate.text(String(repeating: "x", count: 11), field: "subject", max: 10)
                == [FieldIssue("subject", "must be at most 10 characters")])
        #expect(Validate.text(String(repeating: "x", count: 10), field: "subject", max: 10).isEmpty)
        let ticket = CreateTicket(
            customerID: UUID(), subject: String(repeating: "s", count: 251), message: "", channel: .email)
        #expect(ticket.validate().map(\.field) == ["subject", "message"])
    }

    private func returnInput(_ lines: [ReturnLine], reference: String = "ORD-1") -> CreateReturn {
        CreateReturn(customerID: UUID(), orderReference: reference, reason: "too small", lines: lines)
    }

    @Test func returnNeedsAtLeastOneAndAtMostAHundredLines() {
        #expect(returnInput([]).validate() == [FieldIssue("lines", "must contain at least one line")])
        let many = (0..<101).map { ReturnLine(sku: "SKU-\($0)", quantity: 1) }
        #expect(returnInput(many).validate() == [FieldIssue("lines", "must contain at most 100 lines")])
        #expect(returnInput(Array(many.prefix(100))).validate().isEmpty)
    }

    @Test func returnLineQuantityAndSkuAreCheckedPerLine() {
        let issues = returnInput([
            ReturnLine(sku: "A", quantity: 0), ReturnLine(sku: " ", quantity: 1),
            ReturnLine(sku: "C", quantity: 10_001),
            ReturnLine(sku: "D", quantity: 10_000),
        ]).validate()
        #expect(issues.map(\.field) == ["lines[0].quantity", "lines[1].sku", "lines[2].quantity"])
    }

    @Test func returnRefusesRepeatedSkuAndBlankReference() {
        let issues = returnInput([ReturnLine(sku: "A", quantity: 1), ReturnLine(sku: "A", quantity: 2)], reference: "")
            .validate()
        #expect(issues.map(\.field) == ["order_reference", "lines"])
        #expect(issues.last?.message == "each sku may appear once; combine quantities")
    }

    @Test(arguments: [(nil, true), (1, true), (100, true), (0, false), (101, false), (-1, false)] as [(Int?, Bool)])
    func limitMustBeBetweenOneAndAHundred(limit: Int?, valid: Bool) {
        #expect(Validate.limit(limit).isEmpty == valid)
        #expect(ListTicketsByCustomer(customerID: UUID(), limit: limit).validate().isEmpty == valid)
    }

    @Test func listRefusesAGarbageCursorButTakesARealOne() {
        let good = KeysetCursor(createdAtMicros: 1, id: UUID()).encoded
        #expect(ListTicketsByCustomer(customerID: UUID(), cursor: good).validate().isEmpty)
        #expect(
            ListTicketsByCustomer(customerID: UUID(), cursor: "garbage!").validate()
                == [FieldIssue("cursor", "is not a valid cursor")])
    }

    @Test func ticketMessagesAuthorRules() {
        let id = UUID()
        #expect(AddTicketMessage(ticketID: id, body: "hi", authorType: .agent, isPublic: false).validate().isEmpty)
        #expect(
            AddTicketMessage(ticketID: id, body: "hi", authorType: .system).validate().map(\.field) == ["author_type"])
        #expect(
            AddTicketMessage(ticketID: id, body: "hi", authorType: .customer, isPublic: false).validate().map(\.field)
                == ["public"])
        #expect(AddTicketMessage(ticketID: id, body: "", authorType: .customer).validate().map(\.field) == ["body"])
    }
}
