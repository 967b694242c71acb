-- Store sync: every verified store-platform webhook delivery is stored as received (customers.receive_delivery),
-- then applied by the customers.store_sync consumer to the mirrored orders below.

CREATE TABLE customers.store_deliveries (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    platform text NOT NULL,
    shop_domain text NOT NULL,
    topic text NOT NULL,
    delivery_key text NOT NULL,
    -- Shopify's X-Shopify-Event-Id: the same event retried or sent to several subscriptions.
    event_id text,
    triggered_at timestamptz,
    body text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    applied_at timestamptz,
    outcome text CHECK (outcome IN ('applied', 'stale', 'ignored', 'failed', 'redacted')),
    error text,
    customer_id uuid,
    UNIQUE (store_id, delivery_key)
);

CREATE UNIQUE INDEX store_deliveries_event_idx ON customers.store_deliveries (store_id, event_id, topic)
    WHERE event_id IS NOT NULL;

-- The mirrored orders. The *_emitted_at columns remember which order event was published, so that replays and
-- re-deliveries publish nothing twice.
CREATE TABLE customers.orders (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    platform text NOT NULL,
    platform_order_id bigint NOT NULL,
    number text NOT NULL,
    customer_id uuid REFERENCES customers.customers (id),
    email text,
    phone text,
    state text NOT NULL CHECK (state IN ('open', 'closed', 'cancelled')),
    financial_status text,
    fulfillment_status text,
    currency text NOT NULL,
    subtotal_minor bigint NOT NULL DEFAULT 0,
    tax_minor bigint NOT NULL DEFAULT 0,
    shipping_minor bigint NOT NULL DEFAULT 0,
    discount_minor bigint NOT NULL DEFAULT 0,
    total_minor bigint NOT NULL,
    refunded_minor bigint NOT NULL DEFAULT 0,
    presentment_currency text,
    presentment_total_minor bigint,
    shipping_address jsonb,
    billing_address jsonb,
    tags text[] NOT NULL DEFAULT '{}',
    placed_at timestamptz NOT NULL,
    platform_updated_at timestamptz,
    cancelled_at timestamptz,
    cancel_reason text,
    paid_emitted_at timestamptz,
    fulfilled_emitted_at timestamptz,
    cancelled_emitted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (store_id, platform_order_id)
);

CREATE INDEX orders_customer_idx ON customers.orders (customer_id, placed_at DESC, id DESC);
CREATE INDEX orders_number_idx ON customers.orders (lower(number));

-- Lines, fulfillments and refunds are keyed by the platform order id (no foreign key), so that one delivered
-- before its order is kept and shows once the order arrives.
CREATE TABLE customers.order_lines (
    store_id uuid NOT NULL,
    platform_order_id bigint NOT NULL,
    platform_line_id bigint NOT NULL,
    product_id bigint,
    variant_id bigint,
    sku text,
    title text NOT NULL,
    variant_title text,
    quantity integer NOT NULL,
    unit_price_minor bigint NOT NULL,
    discount_minor bigint NOT NULL DEFAULT 0,
    tags text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (store_id, platform_order_id, platform_line_id)
);

CREATE TABLE customers.fulfillments (
    store_id uuid NOT NULL,
    platform_order_id bigint NOT NULL,
    platform_fulfillment_id bigint NOT NULL,
    status text,
    shipment_status text,
    carrier text,
    tracking_number text,
    tracking_url text,
    delivered_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz,
    lines jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (store_id, platform_order_id, platform_fulfillment_id)
);

-- emitted_at: when order.refunded was published for this refund (null until its order is known).
CREATE TABLE customers.refunds (
    store_id uuid NOT NULL,
    platform_order_id bigint NOT NULL,
    platform_refund_id bigint NOT NULL,
    amount_minor bigint NOT NULL,
    reason text,
    refunded_at timestamptz,
    lines jsonb NOT NULL DEFAULT '[]',
    emitted_at timestamptz,
    PRIMARY KEY (store_id, platform_order_id, platform_refund_id)
);

-- The platform's last-modified time of each store customer applied so far: an older delivery never overwrites.
CREATE TABLE customers.store_customer_sync (
    store_id uuid NOT NULL,
    platform_customer_id bigint NOT NULL,
    customer_id uuid NOT NULL REFERENCES customers.customers (id),
    platform_updated_at timestamptz,
    PRIMARY KEY (store_id, platform_customer_id)
);
