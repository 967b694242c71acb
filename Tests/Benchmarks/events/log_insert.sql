-- pgbench script: the raw-PostgreSQL baseline for event throughput (Tests/Benchmarks/events/run.sh).
-- One transaction appending one event to the log, as the outbox does inside a service's transaction.
BEGIN;
INSERT INTO events.log (id, type, source, aggregate_type, aggregate_id, aggregate_version, schema_version, payload)
VALUES (gen_random_uuid(), 'bench.raw', 'pgbench', 'bench', gen_random_uuid()::text, 1, 1, '{"bench": true}'::jsonb);
COMMIT;
