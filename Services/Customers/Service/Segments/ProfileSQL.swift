/// The SQL that derives order statistics, RFM scores, VIP and segment membership. Static text only: every value a
/// caller gives is bound, and a segment's rule is read from its `rule` jsonb column.
///
/// Formulas (also in docs/architecture.md):
/// - orders counted: `customers.orders` of the customer whose state is neither `cancelled` nor `deleted`;
/// - lifetime value per currency: `sum(total_minor - refunded_minor)`; the main currency is the one with most orders
///   (ties: higher value, then currency code);
/// - these totals live in `customers.order_totals`, recomputed for one customer by a trigger whenever its orders (or
///   its merge or erasure) change (migration 0009), so reading a customer never aggregates other customers' orders;
/// - RFM: `ntile(5)` over every surviving customer with counted orders, ascending, ties broken by customer id:
///   recency by last order time (newest = 5), frequency by order count, monetary by lifetime value in the main
///   currency (minor units). Being relative to all customers, the scores are computed in one batch pass by the
///   `customers.rfm` job (`RFMScoring`); until a customer's first pass they are absent;
/// - VIP: tag `vip` (any case), or monetary = 5 and frequency >= 4.
enum ProfileSQL {
    /// The CTE `profiles` (one row per surviving customer, orders or not), to follow a `WITH`.
    static let profiles = """
        profiles AS (
            SELECT c.id, c.created_at, coalesce(t.order_count, 0) AS order_count, t.first_at, t.last_at,
                   t.recency, t.frequency, t.monetary,
                   ARRAY(SELECT lower(tag) FROM unnest(c.tags) tag) AS tags,
                   ('vip' = ANY (ARRAY(SELECT lower(tag) FROM unnest(c.tags) tag))
                    OR (coalesce(t.monetary, 0) = 5 AND coalesce(t.frequency, 0) >= 4)) AS vip
            FROM customers.customers c LEFT JOIN customers.order_totals t ON t.customer_id = c.id
            WHERE c.merged_into IS NULL AND c.erased_at IS NULL)
        """

    /// True when the profile `p` satisfies the rule of segment `s` (every given field must hold).
    static let matches = """
        (s.rule->'min_orders' IS NULL OR p.order_count >= (s.rule->>'min_orders')::bigint)
        AND (s.rule->'max_orders' IS NULL OR p.order_count <= (s.rule->>'max_orders')::bigint)
        AND (s.rule->'min_lifetime_value' IS NULL
             OR coalesce((SELECT sum(o.total_minor - o.refunded_minor) FROM customers.orders o
                          WHERE o.customer_id = p.id AND o.state NOT IN ('cancelled', 'deleted')
                            AND o.currency = s.rule->'min_lifetime_value'->>'currency'), 0)
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
