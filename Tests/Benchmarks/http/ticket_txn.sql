-- pgbench script: the raw-PostgreSQL baseline for POST /v1/tickets (scripts/bench.sh).
--
-- The same transaction the tickets service runs for `tickets.create` with an Idempotency-Key
-- (Services/Tickets/Service/TicketRepository.swift, Shared/ServiceRuntime/Idempotency/IdempotencyStore.swift):
-- claim the key, insert the ticket, insert its first message, record the reply, commit.
-- Keep it in step with that code so the ratio stays fair. The HTTP path additionally asks the
-- customers service for the customer (one indexed primary-key read), which is not repeated here.
--
-- Variables: -D customer_id=<uuid> (set by scripts/bench.sh); :client_id is pgbench's.
-- Run with -M extended (as bench.sh does): variables are sent as bound parameters, like PostgresNIO.
\set n random(1, 1000000000)
BEGIN;
INSERT INTO tickets.idempotency_keys (key, operation, request_hash)
VALUES ('pgbench-' || :client_id || '-' || gen_random_uuid(), 'tickets.create', '\x00'::bytea)
ON CONFLICT (key) DO NOTHING RETURNING key \gset idem_
INSERT INTO tickets.tickets (id, customer_id, subject, status, priority, channel)
VALUES (gen_random_uuid(), :customer_id::uuid, 'pgbench ticket ' || :n, 'new', 'normal', 'email')
RETURNING id, number, customer_id, subject, status, priority, channel, created_at, updated_at \gset ticket_
INSERT INTO tickets.messages (id, ticket_id, author_type, channel, body, public)
VALUES (gen_random_uuid(), :ticket_id::uuid, 'customer', 'email', 'Where is my order? (pgbench ' || :n || ')', true)
RETURNING id, ticket_id, author_type, channel, body, public, created_at;
UPDATE tickets.idempotency_keys SET status = 201, response = '{}'::bytea
WHERE key = :idem_key;
COMMIT;
