-- API keys. Only the SHA-256 of each secret is stored; the secret is shown once, when the key is created.
CREATE TABLE gateway.api_keys (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'agent', 'integration', 'customer')),
    customer_id uuid,
    secret_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CHECK ((role = 'customer') = (customer_id IS NOT NULL))
);
