-- The return lifecycle: the mirrored order, the ticket, reasons, review, labels, refunds and their
-- reconciliation with the store platform (docs/returns.md).
ALTER TABLE returns.returns
    ADD COLUMN order_id uuid,
    ADD COLUMN store_id uuid,
    ADD COLUMN currency text,
    ADD COLUMN ticket_id uuid,
    ADD COLUMN reason_code text,
    ADD COLUMN notes text,
    ADD COLUMN photos jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN channel text NOT NULL DEFAULT 'agent',
    ADD COLUMN policy_id uuid,
    ADD COLUMN policy_name text,
    ADD COLUMN policy jsonb,
    ADD COLUMN review_reasons text[] NOT NULL DEFAULT '{}',
    ADD COLUMN decline_reason text,
    ADD COLUMN cancel_reason text,
    ADD COLUMN tracking_number text,
    ADD COLUMN approved_at timestamptz,
    ADD COLUMN received_at timestamptz,
    ADD COLUMN inspected_at timestamptz,
    ADD COLUMN resolved_at timestamptz,
    ADD COLUMN closed_at timestamptz;

CREATE INDEX returns_order_idx ON returns.returns (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX returns_review_idx ON returns.returns (created_at, id) WHERE status = 'requested';
CREATE INDEX returns_created_idx ON returns.returns (created_at DESC, id DESC);

ALTER TABLE returns.return_lines
    DROP CONSTRAINT return_lines_pkey,
    ALTER COLUMN sku DROP NOT NULL,
    ADD COLUMN line_no integer,
    ADD COLUMN platform_line_id bigint,
    ADD COLUMN title text,
    ADD COLUMN reason_code text,
    ADD COLUMN paid_minor bigint,
    ADD COLUMN received_quantity integer,
    ADD COLUMN condition text CHECK (condition IN ('restock', 'not_restocked', 'damaged', 'missing')),
    ADD COLUMN refund_minor bigint;

UPDATE returns.return_lines l SET line_no = n.no
FROM (SELECT return_id, sku, row_number() OVER (PARTITION BY return_id ORDER BY sku) AS no
      FROM returns.return_lines) n
WHERE n.return_id = l.return_id AND n.sku = l.sku;

ALTER TABLE returns.return_lines ALTER COLUMN line_no SET NOT NULL, ADD PRIMARY KEY (return_id, line_no);
CREATE UNIQUE INDEX return_lines_platform_idx ON returns.return_lines (return_id, platform_line_id)
    WHERE platform_line_id IS NOT NULL;

-- Every status change, who made it and why (the return's history).
CREATE TABLE returns.transitions (
    return_id uuid NOT NULL REFERENCES returns.returns (id),
    seq bigserial,
    from_status text,
    to_status text NOT NULL,
    actor text NOT NULL,
    note text,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (return_id, seq)
);

-- One row per mirrored order that a return touches: locked (FOR UPDATE) while a refund of the order is decided,
-- so that two refunds racing for the same order are serialised.
CREATE TABLE returns.order_ledgers (
    order_id uuid PRIMARY KEY,
    currency text NOT NULL,
    paid_minor bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The resolution of a return: at most one per return (refund execution is idempotent).
CREATE TABLE returns.refunds (
    id uuid PRIMARY KEY,
    return_id uuid NOT NULL UNIQUE REFERENCES returns.returns (id),
    order_id uuid,
    customer_id uuid NOT NULL,
    resolution text NOT NULL CHECK (resolution IN ('refund', 'store_credit', 'exchange', 'replacement')),
    currency text NOT NULL,
    gross_minor bigint NOT NULL CHECK (gross_minor >= 0),
    restocking_fee_minor bigint NOT NULL CHECK (restocking_fee_minor >= 0),
    shipping_fee_minor bigint NOT NULL CHECK (shipping_fee_minor >= 0),
    amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
    status text NOT NULL CHECK (status IN ('awaiting_platform', 'confirmed', 'issued', 'not_applicable')),
    platform_refund_id bigint,
    exchange_for text,
    created_at timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz
);

CREATE INDEX refunds_order_idx ON returns.refunds (order_id, status);

-- Refunds of mirrored orders as the platform reported them (`order.refunded`), whoever started them.
CREATE TABLE returns.platform_refunds (
    order_id uuid NOT NULL,
    platform_refund_id bigint NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    refund_id uuid,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, platform_refund_id)
);

-- Return labels: the printable document and its tracking number.
CREATE SEQUENCE returns.label_serial;
CREATE TABLE returns.labels (
    return_id uuid PRIMARY KEY REFERENCES returns.returns (id),
    carrier text NOT NULL,
    tracking_number text NOT NULL UNIQUE,
    content_type text NOT NULL,
    document text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Sold order lines (from `order.paid`): the denominator of return and refund rates.
CREATE TABLE returns.sold_lines (
    order_id uuid NOT NULL,
    platform_line_id bigint NOT NULL,
    store_id uuid NOT NULL,
    customer_id uuid,
    sku text,
    quantity integer NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    sold_at timestamptz NOT NULL,
    PRIMARY KEY (order_id, platform_line_id)
);

CREATE INDEX sold_lines_time_idx ON returns.sold_lines (sold_at);
