-- Segments: named rules over order statistics and tags (see docs/architecture.md for the formulas).
CREATE TABLE customers.segments (
    name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    description text,
    rule jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Consent history: every decision is kept; the current consent per channel is the latest row.
CREATE TABLE customers.consents (
    id bigserial PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers.customers (id),
    channel text NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
    granted boolean NOT NULL,
    legal_basis text NOT NULL
        CHECK (legal_basis IN ('consent', 'legitimate_interest', 'contract', 'legal_obligation')),
    source text,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX consents_current_idx ON customers.consents (customer_id, channel, recorded_at DESC, id DESC);

-- Search: prefix search on emails; names are matched with a scan (no pg_trgm, which not every server allows).
CREATE INDEX customers_email_prefix_idx ON customers.customers (email_normalized text_pattern_ops);
CREATE INDEX identities_email_prefix_idx ON customers.identities (value text_pattern_ops) WHERE kind = 'email';
CREATE INDEX customers_created_idx ON customers.customers (created_at, id);
CREATE INDEX customers_merged_idx ON customers.customers (merged_into) WHERE merged_into IS NOT NULL;
