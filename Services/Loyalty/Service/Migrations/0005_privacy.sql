-- Erasures this service has applied (a replayed customer.erased confirms nothing twice).
CREATE TABLE loyalty.erasures (
    erasure_id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- The account of an erased customer is kept (its balances stay in the totals) and marked.
ALTER TABLE loyalty.accounts ADD COLUMN erased_at timestamptz;

-- Merges applied (a replayed customer.merged moves no balance twice).
CREATE TABLE loyalty.merges (
    source_customer_id uuid NOT NULL,
    target_customer_id uuid NOT NULL,
    available bigint NOT NULL,
    pending bigint NOT NULL,
    lifetime bigint NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_customer_id, target_customer_id)
);
