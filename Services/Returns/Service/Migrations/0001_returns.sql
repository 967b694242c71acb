-- Return requests (RMAs) and their lines.
CREATE TABLE returns.returns (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    order_reference text NOT NULL,
    reason text NOT NULL,
    status text NOT NULL CHECK (status IN ('requested', 'approved', 'declined', 'label_issued', 'in_transit',
        'received', 'inspected', 'resolved', 'closed', 'cancelled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX returns_customer_idx ON returns.returns (customer_id, created_at DESC);

CREATE TABLE returns.return_lines (
    return_id uuid NOT NULL REFERENCES returns.returns (id),
    sku text NOT NULL,
    quantity integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (return_id, sku)
);
