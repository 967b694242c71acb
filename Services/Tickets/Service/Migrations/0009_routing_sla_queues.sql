-- Routing: groups with an assignment mode and the categories they take; agents in groups, with skills and a
-- capacity; tickets that need skills. SLA: the policy document, the status history the clock reads, and the
-- per-ticket SLA state the queues and the breach watcher use. Queues: a text-search column and the indexes that
-- keep every view a short index range scan at a million tickets.

CREATE TABLE tickets.groups (
    name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    description text,
    assignment text NOT NULL DEFAULT 'manual' CHECK (assignment IN ('manual', 'round_robin', 'least_loaded')),
    -- New tickets of these categories land in this group.
    categories text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE tickets.agents
    ADD COLUMN groups text[] NOT NULL DEFAULT '{}',
    ADD COLUMN skills text[] NOT NULL DEFAULT '{}',
    -- Most unsolved tickets (new, open, pending, on hold) routing gives the agent; null: no limit.
    ADD COLUMN capacity integer CHECK (capacity IS NULL OR capacity >= 0),
    ADD COLUMN last_assigned_at timestamptz;

ALTER TABLE tickets.tickets
    ADD COLUMN required_skills text[] NOT NULL DEFAULT '{}',
    -- Words of the subject and the order reference (tags have their own GIN index and filter).
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, subject || ' ' || coalesce(order_reference, ''))
    ) STORED;

-- Every status change with its time: what the SLA clock reads.
CREATE TABLE tickets.status_changes (
    id bigserial PRIMARY KEY,
    ticket_id uuid NOT NULL REFERENCES tickets.tickets (id),
    from_status text,
    to_status text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX status_changes_ticket_idx ON tickets.status_changes (ticket_id, changed_at, id);
-- KPIs over a period (first solved, backlog at a time) look changes up by status and time.
CREATE INDEX status_changes_to_idx ON tickets.status_changes (to_status, changed_at);

-- The SLA policies and business calendar (one document, replaced as a whole).
CREATE TABLE tickets.sla_config (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    document jsonb NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The SLA state of each unsolved ticket's running targets (refreshed with every change of the ticket).
CREATE TABLE tickets.sla_targets (
    ticket_id uuid NOT NULL REFERENCES tickets.tickets (id),
    metric text NOT NULL CHECK (metric IN ('first_reply', 'next_reply', 'resolution')),
    policy text NOT NULL,
    phase text NOT NULL CHECK (phase IN ('running', 'paused', 'stopped', 'achieved')),
    due_at timestamptz,
    near_breach_at timestamptz,
    breached_at timestamptz,
    achieved_at timestamptz,
    -- The due time each event was published for, so a moved deadline publishes again and a replay does not.
    near_breach_notified_for timestamptz,
    breach_notified_for timestamptz,
    PRIMARY KEY (ticket_id, metric)
);
CREATE INDEX sla_targets_due_idx ON tickets.sla_targets (due_at) WHERE phase = 'running';
CREATE INDEX sla_targets_near_idx ON tickets.sla_targets (near_breach_at) WHERE phase = 'running';

-- Queue indexes. Each view's condition is an index predicate and the order is (created_at, id), so a page is an
-- ordered range of one index whatever the number of tickets: unassigned (overall and per group), a group's and an
-- agent's unsolved work, pending tickets, everything newest first.
CREATE INDEX tickets_queue_unassigned_idx ON tickets.tickets (created_at, id)
    WHERE assignee_id IS NULL AND status IN ('new', 'open');
CREATE INDEX tickets_queue_unassigned_group_idx ON tickets.tickets (group_name, created_at, id)
    WHERE assignee_id IS NULL AND status IN ('new', 'open');
CREATE INDEX tickets_queue_group_idx ON tickets.tickets (group_name, created_at, id)
    WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_queue_assignee_idx ON tickets.tickets (assignee_id, created_at, id)
    WHERE status IN ('new', 'open', 'pending', 'on_hold');
CREATE INDEX tickets_queue_pending_idx ON tickets.tickets (created_at, id) WHERE status = 'pending';
CREATE INDEX tickets_queue_all_idx ON tickets.tickets (created_at, id);
CREATE INDEX tickets_search_idx ON tickets.tickets USING gin (search);
CREATE INDEX tickets_order_reference_idx ON tickets.tickets (lower(order_reference)) WHERE order_reference IS NOT NULL;
CREATE INDEX tickets_tags_idx ON tickets.tickets USING gin (tags);

-- Every path that changes a status (updates, replies, merges, the automatic close) is recorded, by the database.
CREATE FUNCTION tickets.record_status_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tickets.status_changes (ticket_id, from_status, to_status, changed_at)
        VALUES (NEW.id, NULL, NEW.status, NEW.created_at);
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO tickets.status_changes (ticket_id, from_status, to_status) VALUES (NEW.id, OLD.status, NEW.status);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER tickets_status_history AFTER INSERT OR UPDATE OF status ON tickets.tickets
    FOR EACH ROW EXECUTE FUNCTION tickets.record_status_change();

-- Tickets that existed before this migration start their history at their creation in their current status.
INSERT INTO tickets.status_changes (ticket_id, from_status, to_status, changed_at)
SELECT id, NULL, status, created_at FROM tickets.tickets;
