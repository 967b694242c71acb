-- The customer record: one row per person, unique by normalised email.
CREATE TABLE customers.customers (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    email_normalized text NOT NULL UNIQUE,
    name text,
    phone text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customers_phone_idx ON customers.customers (phone) WHERE phone IS NOT NULL;
