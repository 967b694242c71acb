/// The SQL that derives order statistics, RFM scores, VIP and segment membership. Static text only: every value a
/// caller gives is bound, and a segment's rule is read from its `rule` jsonb column.
///
/// Formulas (also in docs/architecture.md):
/// - orders counted: `customers.orders` of the customer whose state is neither `cancelled` nor `deleted`;
/// - lifetime value per currency: `sum(total_minor - refunded_minor)`; the main currency is the one with most orders
///   (ties: higher value, then currency code);
/// - RFM: `ntile(5)` over every surviving customer with counted orders, ascending, ties broken by customer id:
///   recency by last order time (newest = 5), frequency by order count, monetary by lifetime value in the main
///   currency (minor units);
/// - VIP: tag `vip` (any case), or monetary = 5 and frequency >= 4.
enum ProfileSQL {
    /// CTEs `per_currency`, `totals`, `scored` and `profiles` (one row per surviving customer, orders or not), to
    /// follow a `WITH`.
    static let profiles = """
        per_currency AS (
            SELECT customer_id, currency, count(*)::bigint AS n, sum(total_minor - refunded_minor)::bigint AS ltv,
                   min(placed_at) AS first_at, max(placed_at) AS last_at
            FROM customers.orders
            WHERE customer_id IS NOT NULL AND state NOT IN ('cancelled', 'deleted')
            GROUP BY customer_id, currency),
        totals AS (
            SELECT pc.customer_id, sum(pc.n)::bigint AS order_count, min(pc.first_at) AS first_at,
                   max(pc.last_at) AS last_at,
                   (array_agg(pc.ltv ORDER BY pc.n DESC, pc.ltv DESC, pc.currency))[1] AS main_ltv
            FROM per_currency pc
            JOIN customers.customers c ON c.id = pc.customer_id AND c.merged_into IS NULL AND c.erased_at IS NULL
            GROUP BY pc.customer_id),
        scored AS (
            SELECT t.*,
                   ntile(5) OVER (ORDER BY t.last_at, t.customer_id) AS recency,
                   ntile(5) OVER (ORDER BY t.order_count, t.customer_id) AS frequency,
                   ntile(5) OVER (ORDER BY t.main_ltv, t.customer_id) AS monetary
            FROM totals t),
        profiles AS (
            SELECT c.id, c.created_at, coalesce(s.order_count, 0) AS order_count, s.first_at, s.last_at,
                   s.recency, s.frequency, s.monetary,
                   ARRAY(SELECT lower(tag) FROM unnest(c.tags) tag) AS tags,
                   ('vip' = ANY (ARRAY(SELECT lower(tag) FROM unnest(c.tags) tag))
                    OR (coalesce(s.monetary, 0) = 5 AND coalesce(s.frequency, 0) >= 4)) AS vip
            FROM customers.customers c LEFT JOIN scored s ON s.customer_id = c.id
            WHERE c.merged_into IS NULL AND c.erased_at IS NULL)
        """

    /// True when the profile `p` satisfies the rule of segment `s` (every given field must hold).
    static let matches = """
        (s.rule->'min_orders' IS NULL OR p.order_count >= (s.rule->>'min_orders')::bigint)
        AND (s.rule->'max_orders' IS NULL OR p.order_count <= (s.rule->>'max_orders')::bigint)
        AND (s.rule->'min_lifetime_value' IS NULL
             OR coalesce((SELECT pc.ltv FROM per_currency pc
                          WHERE pc.customer_id = p.id AND pc.currency = s.rule->'min_lifetime_value'->>'currency'), 0)
                >= (s.rule->'min_lifetime_value'->>'amount_minor')::bigint)
        AND (s.rule->'max_days_since_last_order' IS NULL
             OR p.last_at >= now() - make_interval(days => (s.rule->>'max_days_since_last_order')::int))
        AND (s.rule->'min_days_since_last_order' IS NULL
             OR p.last_at <= now() - make_interval(days => (s.rule->>'min_days_since_last_order')::int))
        AND (s.rule->'rfm_min'->'recency' IS NULL OR p.recency >= (s.rule->'rfm_min'->>'recency')::int)
        AND (s.rule->'rfm_min'->'frequency' IS NULL OR p.frequency >= (s.rule->'rfm_min'->>'frequency')::int)
        AND (s.rule->'rfm_min'->'monetary' IS NULL OR p.monetary >= (s.rule->'rfm_min'->>'monetary')::int)
        AND (s.rule->'tags_any' IS NULL
             OR p.tags && ARRAY(SELECT lower(tag) FROM jsonb_array_elements_text(s.rule->'tags_any') tag))
        AND (s.rule->'tags_all' IS NULL
             OR p.tags @> ARRAY(SELECT lower(tag) FROM jsonb_array_elements_text(s.rule->'tags_all') tag))
        AND (s.rule->'vip' IS NULL OR p.vip = (s.rule->>'vip')::boolean)
        """
}
