-- Return policies: per store (store_id NULL covers every store), optionally narrowed to a SKU family or a
-- customer segment (tag). See docs/returns.md.
CREATE TABLE returns.policies (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    store_id uuid,
    sku_prefix text,
    customer_tag text,
    priority integer NOT NULL DEFAULT 0,
    time_zone text NOT NULL DEFAULT 'UTC',
    window_days integer NOT NULL CHECK (window_days BETWEEN 0 AND 3650),
    exchange_only_days integer NOT NULL DEFAULT 0 CHECK (exchange_only_days BETWEEN 0 AND 3650),
    final_sale_sku_prefixes text[] NOT NULL DEFAULT '{}',
    final_sale_order_tags text[] NOT NULL DEFAULT '{final-sale}',
    required_condition text NOT NULL DEFAULT 'any' CHECK (required_condition IN ('any', 'unused')),
    allowed_outcomes text[] NOT NULL,
    restocking_fee_basis_points integer NOT NULL DEFAULT 0 CHECK (restocking_fee_basis_points BETWEEN 0 AND 10000),
    restocking_fee_fixed_minor bigint NOT NULL DEFAULT 0 CHECK (restocking_fee_fixed_minor >= 0),
    return_shipping_payer text NOT NULL DEFAULT 'merchant' CHECK (return_shipping_payer IN ('merchant', 'customer')),
    return_shipping_fee_minor bigint NOT NULL DEFAULT 0 CHECK (return_shipping_fee_minor >= 0),
    auto_approve boolean NOT NULL DEFAULT true,
    max_returns_per_period integer,
    max_return_value_minor_per_period bigint,
    period_days integer NOT NULL DEFAULT 365,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX policies_store_idx ON returns.policies (store_id);
