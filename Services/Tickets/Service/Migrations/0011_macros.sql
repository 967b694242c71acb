-- Macros (canned responses with placeholders and the changes that go with them).
CREATE TABLE tickets.macros (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE,
    body text NOT NULL,
    public boolean NOT NULL DEFAULT true,
    actions jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
