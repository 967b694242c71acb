import Contracts
import StorePlatforms
import Testing

@Suite("StorePlatforms payload errors")
struct PayloadErrorTests {
    @Test(
        "bad bodies give a clear code naming the field",
        arguments: [
            (StorePlatform.shopify, "orders/create", ##"{"id": 1, "name": "#1""##, "malformed_json", nil),
            (.shopify, "orders/create", "", "malformed_json", nil),
            (.shopify, "orders/create", #"{"id": 1} {"#, "malformed_json", nil),
            (.shopify, "orders/create", #"{"id": 01}"#, "malformed_json", nil),
            (
                .shopify, "orders/create", #"[{"id": 1, "currency": "USD", "total_price": "1.00"}]"#, "not_an_object",
                nil
            ),
            (.shopify, "orders/create", #""order""#, "not_an_object", nil),
            (
                .shopify, "orders/create", ##"{"name": "#1", "currency": "USD", "total_price": "1.00"}"##,
                "missing_field", "id"
            ),
            (
                .shopify, "orders/create", #"{"id": null, "currency": "USD", "total_price": "1.00"}"#, "missing_field",
                "id"
            ),
            (.shopify, "orders/create", #"{"id": 1, "total_price": "1.00"}"#, "missing_field", "currency"),
            (.shopify, "orders/create", #"{"id": 1, "currency": "USD"}"#, "missing_field", "total_price"),
            (
                .shopify, "orders/create", #"{"id": 1, "currency": "USD", "total_price": "1,00"}"#, "invalid_money",
                "total_price"
            ),
            (
                .shopify, "orders/create", #"{"id": 1, "currency": "USD", "total_price": 1e3}"#, "invalid_money",
                "total_price"
            ),
            (
                .shopify, "orders/create", #"{"id": 1, "currency": "USD", "total_price": true}"#, "invalid_money",
                "total_price"
            ),
            (
                .shopify, "orders/create", #"{"id": 1, "currency": "dollars", "total_price": "1"}"#, "invalid_currency",
                "currency"
            ),
            (.shopify, "orders/create", #"{"id": 1.5, "currency": "USD", "total_price": "1"}"#, "invalid_id", "id"),
            (
                .shopify, "orders/create", #"{"id": 9223372036854775808, "currency": "USD", "total_price": "1"}"#,
                "invalid_id", "id"
            ),
            (.shopify, "orders/create", #"{"id": "12abc", "currency": "USD", "total_price": "1"}"#, "invalid_id", "id"),
            (.shopify, "orders/create", #"{"id": true, "currency": "USD", "total_price": "1"}"#, "invalid_id", "id"),
            (
                .shopify, "orders/create",
                #"{"id": 1, "currency": "USD", "total_price": "1", "created_at": "yesterday"}"#, "invalid_date",
                "created_at"
            ),
            (
                .shopify, "orders/create",
                #"{"id": 1, "currency": "USD", "total_price": "1", "updated_at": "2025-02-30T00:00:00Z"}"#,
                "invalid_date", "updated_at"
            ),
            (
                .shopify, "orders/create",
                #"{"id": 1, "currency": "USD", "total_price": "1", "line_items": [{"quantity": 1}]}"#, "missing_field",
                "line_items[0].id"
            ),
            (
                .shopify, "orders/create",
                #"{"id": 1, "currency": "USD", "total_price": "1", "line_items": [{"id": 2, "quantity": 1}, {"id": 3, "quantity": 1, "price": "x"}]}"#,
                "invalid_money", "line_items[1].price"
            ),
            (
                .shopify, "orders/create",
                #"{"id": 1, "currency": "USD", "total_price": "1", "line_items": [{"id": 2}]}"#, "missing_field",
                "line_items[0].quantity"
            ),
            (
                .shopify, "orders/create",
                #"{"id": 1, "currency": "USD", "total_price": "1", "line_items": {"id": 2}}"#, "wrong_type",
                "line_items"
            ),
            (
                .shopify, "orders/create", #"{"id": 1, "currency": "USD", "total_price": "1", "customer": "bob"}"#,
                "not_an_object", "customer"
            ),
            (.shopify, "fulfillments/create", #"{"id": 1}"#, "missing_field", "order_id"),
            (.shopify, "fulfillments/update", #"{"order_id": 1}"#, "missing_field", "id"),
            (.shopify, "refunds/create", #"{"id": 1}"#, "missing_field", "order_id"),
            (.shopify, "refunds/create", #"{"order_id": 1}"#, "missing_field", "id"),
            (.shopify, "customers/create", #"{"email": "a@b.c"}"#, "missing_field", "id"),
            (.shopify, "customers/delete", #"{}"#, "missing_field", "id"),
            (.shopify, "customers/redact", #"{"orders_to_redact": [1, "x"]}"#, "invalid_id", "orders_to_redact[1]"),
            (.shopify, "shop/redact", #"{"shop_id": 1}"#, "missing_field", "shop_domain"),
            (.woocommerce, "order.created", #"{"id": 1, "currency": "USD"}"#, "missing_field", "total"),
            (.woocommerce, "order.created", #"{"currency": "USD", "total": "1"}"#, "missing_field", "id"),
            (.woocommerce, "order.updated", "webhook_id=abc", "malformed_json", nil),
            (.woocommerce, "order.updated", #"[]"#, "not_an_object", nil),
            (
                .woocommerce, "order.updated",
                #"{"id": 1, "currency": "USD", "total": "1", "refunds": [{"total": "-1"}]}"#, "missing_field",
                "refunds[0].id"
            ),
            (
                .woocommerce, "order.updated",
                #"{"id": 1, "currency": "USD", "total": "1", "line_items": [{"id": 1, "quantity": 1, "subtotal": "1.0.0"}]}"#,
                "invalid_money", "line_items[0].subtotal"
            ),
            (.woocommerce, "order.deleted", #"{"id": "x"}"#, "invalid_id", "id"),
            (.woocommerce, "customer.deleted", #"{"id": null}"#, "missing_field", "id"),
            (.woocommerce, "customer.updated", #"{"email": "a@b.c"}"#, "missing_field", "id"),
        ])
    func errors(platform: StorePlatform, topic: String, body: String, code: String, field: String?) throws {
        let error = try #require(Fixture.error(platform, topic, body))
        #expect(error.code == code)
        if let field {
            #expect(error.message.hasPrefix(field + " ") || error.message.hasPrefix(field + ":"), "\(error)")
        }
        #expect(error.description.hasPrefix(code + ": "))
    }

    @Test("messages never repeat values (no personal data)")
    func noPersonalData() throws {
        let bodies = [
            #"{"id": 1, "currency": "USD", "total_price": "ada@example.com"}"#,
            #"{"id": "ada@example.com", "currency": "USD", "total_price": "1"}"#,
            #"{"id": 1, "currency": "USD", "total_price": "1", "created_at": "ada@example.com"}"#,
            #"{"id": 1, "currency": "USD", "total_price": "1", "email": "ada@example.com"#,
        ]
        for body in bodies {
            let error = try #require(Fixture.error(.shopify, "orders/create", body))
            #expect(!error.description.contains("ada"), "\(error)")
        }
    }

    @Test("null is accepted for every optional field")
    func nulls() throws {
        let body = #"""
            {"id": 1, "name": null, "order_number": null, "email": null, "contact_email": null, "phone": null,
             "currency": "USD", "total_price": "1.00", "subtotal_price": null, "total_tax": null,
             "total_discounts": null, "total_shipping_price_set": null, "total_price_set": null, "tags": null,
             "financial_status": null, "fulfillment_status": null, "cancelled_at": null, "closed_at": null,
             "created_at": null, "updated_at": null, "cancel_reason": null, "customer": null,
             "shipping_address": null, "billing_address": null, "line_items": [null, {"id": 2, "quantity": 1,
             "price": null, "sku": null, "title": null, "product_id": null, "variant_id": null,
             "total_discount": null}], "fulfillments": null, "refunds": null}
            """#
        let update = try Fixture.shopify("orders/updated", Array(body.utf8))
        guard case .order(let order) = update else {
            Issue.record("expected an order")
            return
        }
        #expect(order.number == "#1")
        #expect(order.totalMinor == 100)
        #expect(order.lines == [StoreOrderLine(platformLineID: 2, sku: nil, title: "", quantity: 1, unitPriceMinor: 0)])
    }

    @Test("JSON escapes, unicode and deep nesting")
    func jsonDetails() throws {
        let body = ##"{"id": 1, "currency": "USD", "total_price": "1", "name": "#1\u00e9\ud83d\ude00\n\"x\""}"##
        let update = try Fixture.shopify("orders/create", Array(body.utf8))
        guard case .order(let order) = update else {
            Issue.record("expected an order")
            return
        }
        #expect(order.number == "#1é😀\n\"x\"")
        let lone = #"{"id": 1, "currency": "USD", "total_price": "1", "name": "\ud83d"}"#
        #expect(Fixture.error(.shopify, "orders/create", lone)?.code == "malformed_json")
        let deep =
            "{\"id\": 1, \"x\": " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            + "}"
        #expect(Fixture.error(.shopify, "orders/create", deep)?.code == "malformed_json")
        let control = "{\"id\": 1, \"currency\": \"USD\", \"total_price\": \"1\", \"name\": \"a\u{01}b\"}"
        #expect(Fixture.error(.shopify, "orders/create", control)?.code == "malformed_json")
    }
}
