import Contracts
import Foundation
import StorePlatforms
import Testing

@Suite("StorePlatforms product payloads")
struct ProductPayloadTests {
    static func product(_ update: StoreUpdate) -> StoreProduct? {
        if case .product(let product) = update { return product }
        return nil
    }

    @Test func aShopifyProductUpdateGivesItsTagsTypeAndTaxonomyCategory() throws {
        let body = try Fixture.local("shopify/products_update.json")
        for topic in ["products/create", "products/update", "PRODUCTS/UPDATE"] {
            let product = try #require(Self.product(try Fixture.shopify(topic, body)))
            #expect(product.platformProductID == 632_910_392)
            #expect(product.title == "IPod Nano - 8GB")
            #expect(product.tags == ["Emotive", "Flash Memory", "MP3", "Music Player", "final-sale"])
            #expect(product.categories == ["Cult Products", "MP3 Players"])
            #expect(product.status == "active")
            #expect(product.updatedAt == Fixture.date("2022-01-05T14:30:00Z"))
        }
    }

    @Test func aWooCommerceProductUpdateGivesItsTagAndCategoryNames() throws {
        let body = try Fixture.local("woocommerce/product.updated.json")
        for topic in ["product.created", "product.updated", "product.restored"] {
            let product = try #require(Self.product(try Fixture.woo(topic, body)))
            #expect(product.platformProductID == 93)
            #expect(product.title == "Woo Single #1")
            #expect(product.tags == ["vinyl", "Limited Edition"])
            #expect(product.categories == ["Music", "Singles"])
            #expect(product.status == "publish")
            #expect(product.updatedAt == Fixture.date("2017-03-24T12:12:40Z"))
        }
    }

    @Test func deletionsNameTheProduct() throws {
        let shopify = try Fixture.shopify("products/delete", try Fixture.local("shopify/products_delete.json"))
        #expect(shopify == .productDeleted(platformProductID: 632_910_392))
        let woo = try Fixture.woo("product.deleted", try Fixture.local("woocommerce/product.deleted.json"))
        #expect(woo == .productDeleted(platformProductID: 93))
    }

    @Test func missingOptionalFieldsAreEmptyAndRepeatsCollapse() throws {
        let bare = try #require(Self.product(try Fixture.shopify("products/update", Array(#"{"id": "7"}"#.utf8))))
        #expect(bare == StoreProduct(platformProductID: 7, title: nil, tags: [], categories: [], updatedAt: nil))
        let repeated = try #require(
            Self.product(
                try Fixture.shopify(
                    "products/update",
                    Array(#"{"id": 8, "tags": " Sale ,sale, ,New", "product_type": "", "category": null}"#.utf8))))
        #expect(repeated.tags == ["Sale", "New"])
        #expect(repeated.categories.isEmpty)
        // WooCommerce sends PHP's empty array for an empty list and may leave a tag without a name.
        let woo = try #require(
            Self.product(
                try Fixture.woo("product.updated", Array(#"{"id": 9, "tags": [{"id": 1}], "categories": {}}"#.utf8))))
        #expect(woo.tags.isEmpty && woo.categories.isEmpty)
    }

    @Test(
        "bad product bodies name the field",
        arguments: [
            (StorePlatform.shopify, "products/update", #"{"title": "x"}"#, "missing_field", "id"),
            (.shopify, "products/delete", #"{}"#, "missing_field", "id"),
            (.shopify, "products/update", #"{"id": 1, "tags": ["a"]}"#, "wrong_type", "tags"),
            (.shopify, "products/update", #"{"id": 1, "updated_at": "soon"}"#, "invalid_date", "updated_at"),
            (.shopify, "products/update", #"{"id": 1, "category": "Shirts"}"#, "not_an_object", "category"),
            (.woocommerce, "product.updated", #"{"id": "x1"}"#, "invalid_id", "id"),
            (.woocommerce, "product.updated", #"{"id": 1, "tags": "a,b"}"#, "wrong_type", "tags"),
            (.woocommerce, "product.deleted", #"{"name": "x"}"#, "missing_field", "id"),
        ])
    func errors(platform: StorePlatform, topic: String, body: String, code: String, field: String) throws {
        let error = try #require(Fixture.error(platform, topic, body))
        #expect(error.code == code)
        #expect(error.message.hasPrefix(field + " ") || error.message.hasPrefix(field + ":"), "\(error)")
    }
}
