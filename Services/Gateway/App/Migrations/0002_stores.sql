-- Connected stores: one row per (platform, shop domain). The webhook secrets are stored as given, not hashed,
-- because verifying a webhook's HMAC needs the secret itself (a known trade-off; see docs/architecture.md).
-- During a rotation the old secret stays in previous_webhook_secret and both verify.
CREATE TABLE gateway.stores (
    id uuid PRIMARY KEY,
    platform text NOT NULL CHECK (platform IN ('shopify', 'woocommerce')),
    shop_domain text NOT NULL CHECK (shop_domain = lower(shop_domain) AND shop_domain <> ''),
    name text NOT NULL,
    webhook_secret text NOT NULL,
    previous_webhook_secret text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, shop_domain)
);

-- Integration keys made for a store carry its id; only integration keys may.
ALTER TABLE gateway.api_keys ADD COLUMN store_id uuid REFERENCES gateway.stores (id);
ALTER TABLE gateway.api_keys ADD CONSTRAINT api_keys_store_integration
    CHECK (store_id IS NULL OR role = 'integration');
CREATE INDEX api_keys_store_id ON gateway.api_keys (store_id) WHERE store_id IS NOT NULL;
