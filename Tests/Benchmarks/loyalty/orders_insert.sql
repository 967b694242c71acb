-- psql script: :orders paid orders of :customers customers as `order.paid` events in the log (what the customers
-- service appends after a store webhook), for the loyalty.program consumer to apply. Variables: orders, customers,
-- run (a tag that makes ids unique per run).
INSERT INTO events.log (id, type, source, aggregate_type, aggregate_id, aggregate_version, schema_version, payload)
SELECT gen_random_uuid(), 'order.paid', 'bench', 'order', o.order_id::text, 1, 1,
       jsonb_build_object(
           'order_id', o.order_id, 'store_id', '00000000-0000-4000-8000-00000000b0b0', 'platform', 'shopify',
           'platform_order_id', o.n, 'number', '#B' || o.n,
           'customer_id', ('00000000-0000-4000-9000-' || lpad((o.n % :customers)::text, 12, '0')),
           'amount', jsonb_build_object('amount_minor', 4500, 'currency', 'EUR'),
           'lines', jsonb_build_array(
               jsonb_build_object('platform_line_id', o.n * 10 + 1, 'sku', 'SHOE-1', 'quantity', 1, 'amount_minor', 3000),
               jsonb_build_object('platform_line_id', o.n * 10 + 2, 'sku', 'SOCK-1', 'quantity', 3, 'amount_minor', 1500)))
FROM (SELECT n, md5(:'run' || n)::uuid AS order_id FROM generate_series(1, :orders) AS n) o;
