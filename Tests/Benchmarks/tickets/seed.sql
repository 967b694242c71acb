-- Bulk load of tickets for the queue benchmark (Tests/Benchmarks/tickets/queues.sh), straight into the table.
--
-- psql variables: :from and :to (inclusive), the row numbers of this chunk. Run inside one transaction with the
-- status-history trigger disabled (queues.sh); the history is written here instead, set-based, with the same row
-- the trigger writes for an INSERT (from NULL to the ticket's status at its created_at), like migration 0009's
-- backfill of tickets older than the trigger.
--
-- Distribution (independent draws per row, so every size is a scaled copy of the same mix):
--   created_at  uniform over the last 365 days; customers: 50,000 (md5('bench-queue-customer-' || k)::uuid)
--   category    delivery 40%, returns 25%, billing 20%, product 10%, other 5%; group = category (other: no group)
--   status      closed 80%, solved 5%, open 6%, pending 4%, new 3%, on_hold 2% (unsolved 15%)
--   assignee    new: none; open: none for 10%; the rest assigned: 5% to agent 1 (the heavy one), else uniform
--               over the 50 agents
--   priority    low 10%, normal 70%, high 15%, urgent 5%; channel email 60%, chat 20%, web_form 15%, phone 5%
--   tags        vip 1%; late-delivery on 30% of delivery tickets; damaged on product tickets with that subject
--   subject     per category ("Where is my order?", "Return request for order #N", "Item arrived damaged" on half
--               of product tickets, ...); order_reference '#N' on delivery and returns tickets
--   times       solved_at: solved tickets within the last 90 h (so the 96 h auto-close leaves them alone during the
--               benchmark), closed tickets 1-72 h after creation (capped at now); closed_at 96 h after solved_at (capped at now);
--               first_agent_reply_at for assigned tickets; last_customer_message_at = created_at
--   no messages are stored (queue pages do not read them)
WITH r AS MATERIALIZED (
    SELECT i, random() AS rc, random() AS rs, random() AS ra, random() AS rh, random() AS rp, random() AS rch,
           random() AS rt, random() AS rt2, random() AS rsub, random() AS rtime,
           1 + floor(random() * 50)::int AS agent_k, floor(random() * 50000)::int AS customer_k,
           now() - random() * interval '365 days' AS created
    FROM generate_series(:from::bigint, :to::bigint) i
), d AS (
    SELECT r.*,
           CASE WHEN rc < 0.40 THEN 'delivery' WHEN rc < 0.65 THEN 'returns' WHEN rc < 0.85 THEN 'billing'
                WHEN rc < 0.95 THEN 'product' ELSE 'other' END AS category,
           CASE WHEN rs < 0.80 THEN 'closed' WHEN rs < 0.85 THEN 'solved' WHEN rs < 0.91 THEN 'open'
                WHEN rs < 0.95 THEN 'pending' WHEN rs < 0.98 THEN 'new' ELSE 'on_hold' END AS status
    FROM r
), e AS (
    SELECT d.*,
           CASE WHEN status = 'new' OR (status = 'open' AND ra < 0.10) THEN NULL
                WHEN rh < 0.05 THEN md5('bench-queue-agent-1')::uuid
                ELSE md5('bench-queue-agent-' || agent_k)::uuid END AS assignee,
           CASE WHEN status = 'solved' THEN greatest(created, now() - rtime * interval '90 hours')
                WHEN status = 'closed' THEN least(now(), created + (1 + rtime * 71) * interval '1 hour') END AS solved
    FROM d
), ins AS (
    INSERT INTO tickets.tickets AS t
        (id, customer_id, subject, status, priority, channel, created_at, updated_at, assignee_id, group_name,
         category, category_reason, tags, order_reference, solved_at, closed_at, first_agent_reply_at,
         last_customer_message_at)
    SELECT gen_random_uuid(), md5('bench-queue-customer-' || customer_k)::uuid,
           CASE category
               WHEN 'delivery' THEN CASE WHEN rsub < 0.7 THEN 'Where is my order?' ELSE 'Parcel #' || (100000 + i) || ' is late' END
               WHEN 'returns' THEN 'Return request for order #' || (100000 + i)
               WHEN 'billing' THEN CASE WHEN rsub < 0.5 THEN 'Charged twice for my order' ELSE 'Invoice needed' END
               WHEN 'product' THEN CASE WHEN rsub < 0.5 THEN 'Item arrived damaged' ELSE 'Question about sizing' END
               ELSE 'Hello' END,
           status,
           CASE WHEN rp < 0.10 THEN 'low' WHEN rp < 0.80 THEN 'normal' WHEN rp < 0.95 THEN 'high' ELSE 'urgent' END,
           CASE WHEN rch < 0.60 THEN 'email' WHEN rch < 0.80 THEN 'chat' WHEN rch < 0.95 THEN 'web_form' ELSE 'phone' END,
           created, least(now(), coalesce(solved, created) + interval '1 hour'), assignee,
           CASE WHEN category = 'other' THEN NULL ELSE category END,
           category, 'bench seed',
           array_remove(ARRAY[
               CASE WHEN rt < 0.01 THEN 'vip' END,
               CASE WHEN category = 'delivery' AND rt2 < 0.30 THEN 'late-delivery' END,
               CASE WHEN category = 'product' AND rsub < 0.5 THEN 'damaged' END], NULL),
           CASE WHEN category IN ('delivery', 'returns') THEN '#' || (100000 + i) END,
           solved,
           CASE WHEN status = 'closed' THEN least(now(), solved + interval '96 hours') END,
           CASE WHEN assignee IS NOT NULL THEN created + rtime * interval '8 hours' END,
           created
    FROM e
    RETURNING t.id, t.status, t.created_at
)
INSERT INTO tickets.status_changes (ticket_id, from_status, to_status, changed_at)
SELECT id, NULL, status, created_at FROM ins;
