-- Erasures this service has applied (a replayed customer.erased confirms nothing twice).
CREATE TABLE tickets.erasures (
    erasure_id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
