-- pgbench script: the raw-PostgreSQL baseline for POST /v1/tickets (scripts/bench.sh).
--
-- The same transaction, statement for statement, that the tickets service runs for `tickets.create` with an
-- Idempotency-Key when no group, agent, SLA or trigger is defined (the plain HTTP run of scripts/bench.sh):
-- claim the key, insert the ticket and its first message (both answered as JSON), append `ticket.created` to the
-- event log (next aggregate version), look for the category's group, the SLA configuration and the `created`
-- triggers, record the reply, commit. Sources: Shared/ServiceRuntime/RPC/OperationRouter.swift,
-- Shared/ServiceRuntime/Idempotency/IdempotencyStore.swift, Services/Tickets/Service/Lifecycle/TicketOpening.swift,
-- Services/Tickets/Service/TicketRepository.swift, Shared/ServiceRuntime/Events/EventStore.swift.
-- Keep it in step with that code so the ratio stays fair (a PostgreSQL log with log_statement=all of one request
-- shows the statements). The HTTP path additionally reads the stored reply before the transaction and asks the
-- customers service for the customer; neither is repeated here.
--
-- Variables: -D customer_id=<uuid> (set by scripts/bench.sh); :client_id is pgbench's.
-- Run with -M extended (as bench.sh does): variables are sent as bound parameters, like PostgresNIO.
\set n random(1, 1000000000)
BEGIN;
INSERT INTO tickets.idempotency_keys (key, operation, request_hash)
VALUES ('pgbench-' || :client_id || '-' || gen_random_uuid(), 'tickets.create', '\x00'::bytea)
ON CONFLICT (key) DO NOTHING RETURNING key \gset idem_
INSERT INTO tickets.tickets AS t
    (id, customer_id, subject, status, priority, channel, category, category_reason, tags, custom_fields,
     order_reference, order_id, customer_segments, last_customer_message_at)
VALUES (gen_random_uuid(), :customer_id::uuid, 'pgbench ticket ' || :n, 'new', 'normal', 'email', 'delivery',
        'rule: ''where is my order'' in the subject', '{}', '{}'::jsonb, NULL, NULL, '{}', now())
RETURNING t.id AS id, jsonb_build_object(
    'id', t.id, 'number', t.number, 'customer_id', t.customer_id, 'subject', t.subject, 'status', t.status,
    'priority', t.priority, 'channel', t.channel, 'category', t.category,
    'category_reason', t.category_reason, 'assignee_id', t.assignee_id, 'group', t.group_name,
    'tags', to_jsonb(t.tags), 'custom_fields', t.custom_fields, 'required_skills', to_jsonb(t.required_skills),
    'order_reference', t.order_reference,
    'order_id', t.order_id, 'version', t.version, 'created_at', t.created_at, 'updated_at', t.updated_at,
    'first_reply_at', t.first_agent_reply_at, 'solved_at', t.solved_at, 'closed_at', t.closed_at,
    'reopen_count', t.reopen_count, 'merged_into', t.merged_into, 'follow_up_of', t.follow_up_of,
    'split_from', t.split_from)::text AS json \gset ticket_
INSERT INTO tickets.messages AS m
    (id, ticket_id, author_type, author_id, channel, body, public, attachments, copied_from)
VALUES (gen_random_uuid(), :ticket_id::uuid, 'customer', NULL, 'email', 'Where is my order? (pgbench ' || :n || ')',
        true, '[]'::jsonb, NULL)
RETURNING jsonb_build_object(
    'id', m.id, 'ticket_id', m.ticket_id, 'author_type', m.author_type, 'author_id', m.author_id,
    'channel', m.channel, 'body', m.body, 'public', m.public, 'attachments', m.attachments,
    'created_at', m.created_at, 'external_id', m.external_id)::text;
INSERT INTO events.log (id, type, source, aggregate_type, aggregate_id, aggregate_version,
                        schema_version, payload, traceparent)
SELECT gen_random_uuid(), 'ticket.created', 'tickets', 'ticket', upper(:ticket_id::text), coalesce(max(aggregate_version), 0) + 1,
       1, jsonb_build_object('ticket_id', upper(:ticket_id::text), 'customer_id', :customer_id::text, 'number', 1001,
                             'subject', 'pgbench ticket', 'channel', 'email', 'priority', 'normal',
                             'status', 'new', 'category', 'delivery'), NULL
FROM events.log WHERE aggregate_type = 'ticket' AND aggregate_id = upper(:ticket_id::text)
RETURNING id, type, source, aggregate_type, aggregate_id, aggregate_version, occurred_at, schema_version,
          payload::text, traceparent, position, txid;
SELECT name FROM tickets.groups WHERE 'delivery' = ANY(categories) ORDER BY name LIMIT 1;
SELECT document::text, version FROM tickets.sla_config;
SELECT jsonb_build_object('id', r.id, 'name', r.name, 'event', r.event, 'conditions', r.conditions,
                   'actions', r.actions, 'position', r.position, 'active', r.active,
                   'created_at', r.created_at, 'updated_at', r.updated_at)::text FROM tickets.triggers r
WHERE r.active AND r.event = 'ticket.created' ORDER BY r.position, r.name;
UPDATE tickets.idempotency_keys SET status = 201, response = convert_to(:ticket_json::text, 'UTF8')
WHERE key = :idem_key;
COMMIT;
