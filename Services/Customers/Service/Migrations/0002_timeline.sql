-- A customer's history across services, built from events (consumer customers.timeline).
CREATE TABLE customers.timeline (
    event_id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    type text NOT NULL,
    source text NOT NULL,
    occurred_at timestamptz NOT NULL,
    subject_type text NOT NULL,
    subject_id text NOT NULL,
    summary text NOT NULL
);

CREATE INDEX timeline_customer_idx ON customers.timeline (customer_id, occurred_at DESC, event_id DESC);
