-- Channels: inbound email (threading by Message-ID, duplicate detection), phone, social and web-form contacts.

-- The email Message-ID of a message: inbound customer mail, and the generated id of agent replies on email
-- tickets, so that replies to either thread onto the ticket. Unique across the ticket store; the unique index is the
-- threading lookup's index too.
ALTER TABLE tickets.messages
    ADD COLUMN external_id text,
    -- The address an inbound email came from (it may differ from the customer's main address).
    ADD COLUMN sender_address text;

CREATE UNIQUE INDEX messages_external_id_key ON tickets.messages (external_id) WHERE external_id IS NOT NULL;

-- Where a ticket's contact arrived: the social network (channel `social`) and the address, phone number or handle
-- the customer wrote from, to answer on the same channel.
ALTER TABLE tickets.tickets
    ADD COLUMN social_network text CHECK (social_network IN ('facebook', 'instagram', 'x')),
    ADD COLUMN contact_address text;

-- Every inbound email that was turned into something (a ticket, a message), by its Message-ID: a second delivery of
-- the same message answers `duplicate` with what the first did. Auto-replies and bounces leave no row. The primary
-- key serialises concurrent deliveries of one message (the second waits for the first to commit).
CREATE TABLE tickets.inbound_emails (
    message_id text PRIMARY KEY,
    outcome text NOT NULL CHECK (outcome IN ('created', 'appended', 'follow_up')),
    ticket_id uuid NOT NULL REFERENCES tickets.tickets (id),
    ticket_message_id uuid NOT NULL REFERENCES tickets.messages (id),
    received_at timestamptz NOT NULL DEFAULT now()
);
