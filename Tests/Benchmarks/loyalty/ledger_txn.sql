-- pgbench script: the raw-PostgreSQL baseline for ledger throughput (Tests/Benchmarks/loyalty/run.sh).
-- One transaction doing what a ledger effect does at its core: append one entry (unique idempotency key) and move
-- the cached balance of its account, so the ledger stays consistent (verify finds nothing to correct).
\set c random(1, 1000)
BEGIN;
INSERT INTO loyalty.entries (entry_id, customer_id, kind, source, from_account, to_account, amount, lifetime_delta,
                             idempotency_key)
VALUES (gen_random_uuid(), ('00000000-0000-4000-8000-' || lpad(:c::text, 12, '0'))::uuid, 'earn', 'admin',
        'program.issued', 'customer.available', 1, 1, 'bench-raw:' || gen_random_uuid());
INSERT INTO loyalty.accounts (customer_id, available, lifetime)
VALUES (('00000000-0000-4000-8000-' || lpad(:c::text, 12, '0'))::uuid, 1, 1)
ON CONFLICT (customer_id) DO UPDATE SET available = loyalty.accounts.available + 1,
                                        lifetime = loyalty.accounts.lifetime + 1;
COMMIT;
