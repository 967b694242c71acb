-- Loyalty accounts. Balances are derived from the ledger once it exists (loyalty issue); until then they are 0.
CREATE TABLE loyalty.accounts (
    customer_id uuid PRIMARY KEY,
    available bigint NOT NULL DEFAULT 0,
    pending bigint NOT NULL DEFAULT 0,
    lifetime bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
