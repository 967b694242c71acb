-- Queue benchmark set-up (Tests/Benchmarks/tickets/queues.sh), run once before the first load.
--
-- Starts from an empty ticket table, so the two sizes measured are exact: the tickets the earlier sections created
-- through the API (one customer, all new or open) are removed with everything that references them (messages, status
-- history, SLA targets, ...). Agents, groups, keys and the SLA document stay.
TRUNCATE tickets.tickets CASCADE;

-- The groups the seeded tickets belong to (delivery exists if the routing section ran; the others take no
-- categories, so they never change routing).
INSERT INTO tickets.groups (name, description, assignment, categories)
VALUES ('delivery', 'Bench: delivery questions', 'round_robin', '{delivery}'),
       ('returns', 'Bench: returns', 'manual', '{}'),
       ('billing', 'Bench: billing', 'manual', '{}'),
       ('product', 'Bench: product questions', 'manual', '{}')
ON CONFLICT (name) DO NOTHING;

-- 50 agents: agent k has id md5('bench-queue-agent-' || k)::uuid and is in one of the four groups; agent 1 is the
-- "heavy" one the seed gives an extra 5% of all assigned tickets (the `mine` view is measured for them).
INSERT INTO tickets.agents (id, name, email, groups, capacity)
SELECT md5('bench-queue-agent-' || k)::uuid, 'Queue agent ' || k, 'bench-queue-agent-' || k || '@example.com',
       ARRAY[(ARRAY['delivery', 'returns', 'billing', 'product'])[1 + k % 4]], NULL
FROM generate_series(1, 50) k
ON CONFLICT DO NOTHING;
