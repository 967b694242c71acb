-- Per-customer order totals, kept by triggers, and RFM scores, refreshed by the `customers.rfm` job.
--
-- Before this, every customer read aggregated the orders of every customer (the RFM quintiles are relative to all
-- customers), so reading one customer cost a scan of the whole order mirror. Now the exact totals of one customer
-- are kept in step with its orders (a trigger recomputes that customer's row from its own orders, by index), and
-- the quintiles, which are relative by nature, are computed in one batch pass every few minutes.
CREATE TABLE customers.order_totals (
    customer_id uuid PRIMARY KEY REFERENCES customers.customers (id),
    order_count bigint NOT NULL,
    first_at timestamptz NOT NULL,
    last_at timestamptz NOT NULL,
    -- Lifetime value in the main currency (most orders, then higher value, then currency code), minor units.
    main_ltv bigint NOT NULL,
    recency integer CHECK (recency BETWEEN 1 AND 5),
    frequency integer CHECK (frequency BETWEEN 1 AND 5),
    monetary integer CHECK (monetary BETWEEN 1 AND 5),
    scored_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Recomputes (or removes) one customer's totals from its counted orders; a merged or erased customer has none.
CREATE FUNCTION customers.refresh_order_totals(target uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF target IS NULL THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM customers.customers c
                   WHERE c.id = target AND c.merged_into IS NULL AND c.erased_at IS NULL)
       OR NOT EXISTS (SELECT 1 FROM customers.orders o
                      WHERE o.customer_id = target AND o.state NOT IN ('cancelled', 'deleted')) THEN
        DELETE FROM customers.order_totals WHERE customer_id = target;
        RETURN;
    END IF;
    INSERT INTO customers.order_totals AS t (customer_id, order_count, first_at, last_at, main_ltv)
    SELECT target, sum(pc.n)::bigint, min(pc.first_at), max(pc.last_at),
           (array_agg(pc.ltv ORDER BY pc.n DESC, pc.ltv DESC, pc.currency))[1]
    FROM (SELECT currency, count(*)::bigint AS n, sum(total_minor - refunded_minor)::bigint AS ltv,
                 min(placed_at) AS first_at, max(placed_at) AS last_at
          FROM customers.orders
          WHERE customer_id = target AND state NOT IN ('cancelled', 'deleted')
          GROUP BY currency) pc
    ON CONFLICT (customer_id) DO UPDATE
    SET order_count = EXCLUDED.order_count, first_at = EXCLUDED.first_at, last_at = EXCLUDED.last_at,
        main_ltv = EXCLUDED.main_ltv, updated_at = now();
END $$;

CREATE FUNCTION customers.orders_refresh_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM customers.refresh_order_totals(OLD.customer_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.customer_id IS DISTINCT FROM OLD.customer_id) THEN
        PERFORM customers.refresh_order_totals(NEW.customer_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER orders_totals AFTER INSERT OR DELETE OR UPDATE OF customer_id, state, total_minor, refunded_minor,
    currency, placed_at ON customers.orders
    FOR EACH ROW EXECUTE FUNCTION customers.orders_refresh_totals();

CREATE FUNCTION customers.customers_refresh_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM customers.refresh_order_totals(NEW.id);
    RETURN NULL;
END $$;

CREATE TRIGGER customers_totals AFTER UPDATE OF merged_into, erased_at ON customers.customers
    FOR EACH ROW EXECUTE FUNCTION customers.customers_refresh_totals();

-- The orders already mirrored.
SELECT customers.refresh_order_totals(c.id)
FROM customers.customers c
WHERE EXISTS (SELECT 1 FROM customers.orders o WHERE o.customer_id = c.id);
