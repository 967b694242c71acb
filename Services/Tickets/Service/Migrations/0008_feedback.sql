-- Customer feedback: one CSAT survey per solved ticket and NPS surveys per customer, each answered through a link
-- whose token is stored only as its SHA-256 (like API keys). Plus the indexes the KPIs (docs/kpis.md) read by.

CREATE TABLE tickets.csat_surveys (
    id uuid PRIMARY KEY,
    -- Once per ticket: a re-solve after a reopen finds the row and sends nothing.
    ticket_id uuid NOT NULL UNIQUE REFERENCES tickets.tickets (id),
    customer_id uuid NOT NULL,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    sent_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    rating smallint CHECK (rating BETWEEN 1 AND 5),
    comment text,
    -- The first answer; changed_at is the latest change of it (within 7 days of answered_at).
    answered_at timestamptz,
    changed_at timestamptz,
    CHECK ((rating IS NULL) = (answered_at IS NULL))
);
CREATE INDEX csat_surveys_sent_idx ON tickets.csat_surveys (sent_at);
CREATE INDEX csat_surveys_customer_idx ON tickets.csat_surveys (customer_id);

-- At most one per customer per CONCIERGE_NPS_COOLDOWN_DAYS (checked by tickets.request_nps under a per-customer
-- advisory lock).
CREATE TABLE tickets.nps_surveys (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    sent_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    score smallint CHECK (score BETWEEN 0 AND 10),
    comment text,
    answered_at timestamptz,
    changed_at timestamptz,
    CHECK ((score IS NULL) = (answered_at IS NULL))
);
CREATE INDEX nps_surveys_customer_idx ON tickets.nps_surveys (customer_id, sent_at DESC);
CREATE INDEX nps_surveys_sent_idx ON tickets.nps_surveys (sent_at);

-- KPI periods: first replies, solves, public agent replies (touches, next replies) by time.
CREATE INDEX tickets_first_reply_idx ON tickets.tickets (first_agent_reply_at) WHERE first_agent_reply_at IS NOT NULL;
CREATE INDEX tickets_solved_at_idx ON tickets.tickets (solved_at) WHERE solved_at IS NOT NULL;
CREATE INDEX messages_agent_public_idx ON tickets.messages (created_at) WHERE public AND author_type = 'agent';
