-- Products mirrored from the store platforms (Shopify products/*, WooCommerce product.*), so that order lines
-- carry their product's tags and categories (joined by product id when read and when order events are published).
-- A deleted product is kept (deleted_at) so the orders that hold it keep its last tags.
CREATE TABLE customers.products (
    store_id uuid NOT NULL,
    platform_product_id bigint NOT NULL,
    title text,
    tags text[] NOT NULL DEFAULT '{}',
    categories text[] NOT NULL DEFAULT '{}',
    status text,
    platform_updated_at timestamptz,
    deleted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, platform_product_id)
);

-- Order bodies carry no product tags on either platform: the line column was never filled.
ALTER TABLE customers.order_lines DROP COLUMN tags;
