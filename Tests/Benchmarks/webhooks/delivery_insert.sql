-- pgbench script: the raw-PostgreSQL baseline for webhook ingestion (Tests/Benchmarks/webhooks/run.sh).
-- What acknowledging one delivery must do at least: store the raw body and append its event, in one transaction.
\set n random(1, 1000000000)
BEGIN;
INSERT INTO customers.store_deliveries (id, store_id, platform, shop_domain, topic, delivery_key, body)
VALUES (gen_random_uuid(), '00000000-0000-0000-0000-00000000b0b0', 'shopify', 'pgbench.myshopify.com',
        'orders/create', 'pgbench-' || :n || '-' || gen_random_uuid(), :body);
INSERT INTO events.log (id, type, source, aggregate_type, aggregate_id, aggregate_version, schema_version, payload)
VALUES (gen_random_uuid(), 'bench.raw', 'pgbench', 'store', '00000000-0000-0000-0000-00000000b0b0', 1, 1,
        '{"bench": true}'::jsonb);
COMMIT;
