-- The points ledger (docs/loyalty.md). Every change is one entry moving `amount` (> 0) points from one account of
-- the chart of accounts to another; customer buckets are `customer.pending` and `customer.available` of the entry's
-- customer, program accounts are `program.issued`, `program.goodwill`, `program.redeemed`, `program.expired` and
-- `system.transfer`. Entries are never updated or deleted (trigger below); balances are derived from them.
CREATE TABLE loyalty.entries (
    entry_id uuid PRIMARY KEY,
    seq bigserial NOT NULL UNIQUE,
    customer_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('earn', 'release', 'redeem', 'expire', 'reverse', 'adjust', 'goodwill',
                                       'referral', 'transfer')),
    source text NOT NULL CHECK (source IN ('order', 'return', 'ticket', 'agent', 'rule', 'reward', 'expiry',
                                           'merge', 'admin')),
    source_id text,
    from_account text NOT NULL,
    to_account text NOT NULL CHECK (to_account <> from_account),
    amount bigint NOT NULL CHECK (amount > 0),
    -- The effect on lifetime points (earned minus reversed) and on qualifying spend, signed.
    lifetime_delta bigint NOT NULL DEFAULT 0,
    spend_minor_delta bigint NOT NULL DEFAULT 0,
    idempotency_key text NOT NULL,
    rule_version integer,
    order_id uuid,
    memo text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX entries_idempotency_key ON loyalty.entries (idempotency_key);
CREATE INDEX entries_customer ON loyalty.entries (customer_id, created_at DESC, entry_id DESC);
CREATE INDEX entries_order ON loyalty.entries (order_id) WHERE order_id IS NOT NULL;

CREATE FUNCTION loyalty.refuse_entry_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'loyalty.entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON loyalty.entries
    FOR EACH ROW EXECUTE FUNCTION loyalty.refuse_entry_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON loyalty.entries
    FOR EACH STATEMENT EXECUTE FUNCTION loyalty.refuse_entry_change();

-- The cached balances, updated in the same transaction as every entry (rebuild and verify compare them to entries).
ALTER TABLE loyalty.accounts
    ADD COLUMN redeemed bigint NOT NULL DEFAULT 0,
    ADD COLUMN expired bigint NOT NULL DEFAULT 0,
    ADD COLUMN tier text,
    ADD COLUMN tier_since timestamptz,
    ADD COLUMN below_tier_since timestamptz,
    ADD COLUMN last_activity_at timestamptz;

-- Program rules, one row per published version (the newest applies; entries name the version they used).
CREATE TABLE loyalty.rule_versions (
    version integer PRIMARY KEY,
    rules jsonb NOT NULL,
    published_by text,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Pending order earnings: one row per order with points pending, until the return window closes.
CREATE TABLE loyalty.order_earnings (
    order_id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    number text NOT NULL,
    rule_version integer NOT NULL,
    tier_percent integer NOT NULL,
    currency text NOT NULL,
    points bigint NOT NULL,
    paid_at timestamptz NOT NULL,
    window_closes_at timestamptz,
    next_check_at timestamptz NOT NULL DEFAULT now(),
    released_at timestamptz
);
CREATE INDEX order_earnings_due ON loyalty.order_earnings (next_check_at) WHERE released_at IS NULL;

-- Per order line: what was bought and earned, what has been refunded (by either source) and reversed.
CREATE TABLE loyalty.order_lines (
    order_id uuid NOT NULL,
    platform_line_id bigint NOT NULL,
    sku text,
    quantity integer NOT NULL,
    amount_minor bigint NOT NULL,
    points bigint NOT NULL,
    refunded_by_returns integer NOT NULL DEFAULT 0,
    refunded_by_platform integer NOT NULL DEFAULT 0,
    reversed_quantity integer NOT NULL DEFAULT 0,
    reversed_points bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, platform_line_id)
);
-- Refunds already counted (a replayed refund event counts nothing twice).
CREATE TABLE loyalty.refunds_applied (
    refund_key text PRIMARY KEY,
    order_id uuid NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- The rewards catalogue and the codes issued from it.
CREATE TABLE loyalty.rewards (
    reward_id uuid PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('fixed_discount', 'percentage_discount', 'free_shipping', 'product')),
    points_cost bigint NOT NULL CHECK (points_cost > 0),
    value_minor bigint,
    currency text,
    percent integer,
    product_sku text,
    valid_days integer NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE loyalty.redemptions (
    redemption_id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    reward_id uuid NOT NULL REFERENCES loyalty.rewards,
    code text NOT NULL UNIQUE,
    points bigint NOT NULL,
    status text NOT NULL CHECK (status IN ('issued', 'cancelled')),
    -- `not_pushed` until a store-platform publisher confirms the code exists there.
    push_status text NOT NULL DEFAULT 'not_pushed',
    expires_at timestamptz NOT NULL,
    cancelled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX redemptions_customer ON loyalty.redemptions (customer_id, created_at DESC);

-- Goodwill granted by agents: the audit trail (and what the caps count).
CREATE TABLE loyalty.goodwill_grants (
    grant_id uuid PRIMARY KEY,
    entry_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    ticket_id uuid NOT NULL,
    agent text NOT NULL,
    points bigint NOT NULL,
    reason text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX goodwill_agent ON loyalty.goodwill_grants (agent, created_at);
CREATE INDEX goodwill_customer ON loyalty.goodwill_grants (customer_id, created_at);

-- Retention rules by trigger, the cases handled (once each) and the follow-up tasks agents work through.
CREATE TABLE loyalty.retention_rules (
    trigger text PRIMARY KEY CHECK (trigger IN ('low_csat', 'sla_breached', 'late_delivery', 'return_declined')),
    enabled boolean NOT NULL,
    points bigint NOT NULL DEFAULT 0,
    reward_id uuid REFERENCES loyalty.rewards,
    open_task boolean NOT NULL DEFAULT true,
    max_rating integer,
    late_after_hours integer,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE loyalty.retention_cases (
    trigger text NOT NULL,
    case_key text NOT NULL,
    customer_id uuid NOT NULL,
    entry_id uuid,
    redemption_id uuid,
    task_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (trigger, case_key)
);
CREATE TABLE loyalty.tasks (
    task_id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    trigger text NOT NULL,
    case_key text NOT NULL,
    summary text NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX tasks_open ON loyalty.tasks (status, created_at);

-- Payment times of orders (late-delivery rule) and expiry warnings sent (once per batch).
CREATE TABLE loyalty.order_payments (
    order_id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    number text NOT NULL,
    paid_at timestamptz NOT NULL
);
CREATE TABLE loyalty.expiry_warnings (
    customer_id uuid NOT NULL,
    expires_on date NOT NULL,
    points bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, expires_on)
);
