-- Tickets and their conversations. Human numbers come from a sequence so they are short and never reused.
CREATE SEQUENCE tickets.ticket_number_seq START 1001;

CREATE TABLE tickets.tickets (
    id uuid PRIMARY KEY,
    number bigint NOT NULL UNIQUE DEFAULT nextval('tickets.ticket_number_seq'),
    customer_id uuid NOT NULL,
    subject text NOT NULL,
    status text NOT NULL CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'merged')),
    priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    channel text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A customer's tickets, newest first, for keyset pagination.
CREATE INDEX tickets_customer_idx ON tickets.tickets (customer_id, created_at DESC, id DESC);

CREATE TABLE tickets.messages (
    id uuid PRIMARY KEY,
    ticket_id uuid NOT NULL REFERENCES tickets.tickets (id),
    author_type text NOT NULL CHECK (author_type IN ('customer', 'agent', 'system')),
    channel text NOT NULL,
    body text NOT NULL,
    public boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX messages_ticket_idx ON tickets.messages (ticket_id, created_at, id);
