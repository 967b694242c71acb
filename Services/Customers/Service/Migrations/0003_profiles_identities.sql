-- The full customer profile, and every identity (email, phone, social handle, platform id) a contact can arrive with.
ALTER TABLE customers.customers
    ALTER COLUMN email DROP NOT NULL,
    ALTER COLUMN email_normalized DROP NOT NULL,
    ADD COLUMN first_name text,
    ADD COLUMN last_name text,
    ADD COLUMN locale text,
    ADD COLUMN time_zone text,
    ADD COLUMN tags text[] NOT NULL DEFAULT '{}',
    ADD COLUMN note text,
    ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN addresses jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN merged_into uuid REFERENCES customers.customers (id),
    ADD COLUMN erased_at timestamptz,
    ADD COLUMN version integer NOT NULL DEFAULT 1;

-- kind: email, phone, facebook, instagram, x, shopify, woocommerce. scope: the store id for platform ids, '' for the
-- rest. value: normalised (emails lower-case, phones E.164, handles lower-case without '@').
CREATE TABLE customers.identities (
    kind text NOT NULL,
    scope text NOT NULL DEFAULT '',
    value text NOT NULL,
    customer_id uuid NOT NULL REFERENCES customers.customers (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, scope, value)
);

CREATE INDEX identities_customer_idx ON customers.identities (customer_id);

INSERT INTO customers.identities (kind, value, customer_id)
SELECT 'email', email_normalized, id FROM customers.customers WHERE email_normalized IS NOT NULL
ON CONFLICT DO NOTHING;

INSERT INTO customers.identities (kind, value, customer_id)
SELECT 'phone', phone, id FROM customers.customers WHERE phone IS NOT NULL
ON CONFLICT DO NOTHING;
