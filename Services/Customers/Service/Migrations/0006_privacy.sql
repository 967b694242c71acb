-- Privacy: store data requests, the erasure audit, and each service's confirmation of an erasure.
CREATE TABLE customers.data_requests (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    delivery_id uuid NOT NULL UNIQUE,
    customer_id uuid,
    requested_at timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
    completed_at timestamptz,
    completed_by text
);

CREATE INDEX data_requests_order_idx ON customers.data_requests (requested_at DESC, id DESC);
CREATE INDEX data_requests_customer_idx ON customers.data_requests (customer_id);

-- One erasure per customer (erasing again answers the first).
CREATE TABLE customers.erasures (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL UNIQUE,
    reason text NOT NULL,
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now()
);

-- privacy.erasure_applied, recorded once per erasure and service by the customers.privacy consumer.
CREATE TABLE customers.erasure_confirmations (
    erasure_id uuid NOT NULL,
    service text NOT NULL,
    applied_at timestamptz NOT NULL,
    PRIMARY KEY (erasure_id, service)
);

-- Shopify customers/redact and shop/redact deliveries and what they led to (the audit of redactions that found
-- nothing to erase, too).
CREATE TABLE customers.redactions (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    delivery_id uuid NOT NULL UNIQUE,
    kind text NOT NULL CHECK (kind IN ('customer_redact', 'shop_redact')),
    erased_customer_ids uuid[] NOT NULL DEFAULT '{}',
    received_at timestamptz NOT NULL DEFAULT now()
);
