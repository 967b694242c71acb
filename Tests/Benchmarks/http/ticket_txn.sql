-- pgbench script: the raw-PostgreSQL baseline for POST /v1/tickets (scripts/bench.sh).
--
-- One transaction doing the database work of creating a ticket: the ticket row, its
-- first message and the idempotency record (the transactional outbox event is part of
-- the real work too and is included). pgbench's tps with -c 32 is the limit that the
-- HTTP rate at 32 connections is compared with (target: HTTP rps >= 0.5 x pgbench tps).
--
-- FIRST VERSION, WRITTEN BEFORE THE TICKETS SCHEMA EXISTED: table and column names
-- below are a guess. The lead must align every statement with the SQL the tickets
-- service really runs for "create ticket" (same tables, columns, indexes touched,
-- same number of round trips) so the ratio stays fair.
--
-- Variables: -D customer_id=<uuid> (set by scripts/bench.sh); :client_id is pgbench's.
-- Run with -M extended (as bench.sh does): variables are sent as bound parameters,
-- like PostgresNIO does, so :name::uuid casts work.
\set n random(1, 1000000000)
BEGIN;
INSERT INTO tickets.tickets (id, customer_id, subject, status, channel, created_at, updated_at)
VALUES (gen_random_uuid(), :customer_id::uuid, 'pgbench ticket ' || :n, 'new', 'email', now(), now())
RETURNING id \gset ticket_
INSERT INTO tickets.messages (id, ticket_id, author_kind, body, created_at)
VALUES (gen_random_uuid(), :ticket_id::uuid, 'customer', 'Where is my order? (pgbench ' || :n || ')', now());
INSERT INTO tickets.idempotency_keys (key, operation, response, created_at)
VALUES ('pgbench-' || :client_id || '-' || gen_random_uuid(), 'tickets.create', '{}'::jsonb, now());
INSERT INTO events.events (id, aggregate_type, aggregate_id, type, payload, created_at)
VALUES (gen_random_uuid(), 'ticket', :ticket_id::uuid, 'ticket.created', '{}'::jsonb, now());
COMMIT;
