-- The helpdesk ticket: agents, assignment, category, tags, custom fields, the order it is about, optimistic
-- concurrency (version), the lifecycle's times, merge and follow-up links; messages with authors, notes and
-- attachments.

-- Agents of the support team: who tickets are assigned to (routing adds groups, skills and capacity).
CREATE TABLE tickets.agents (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL UNIQUE,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE tickets.tickets
    ADD COLUMN version bigint NOT NULL DEFAULT 1,
    ADD COLUMN assignee_id uuid REFERENCES tickets.agents (id),
    ADD COLUMN group_name text,
    ADD COLUMN category text NOT NULL DEFAULT 'other',
    ADD COLUMN category_reason text,
    ADD COLUMN tags text[] NOT NULL DEFAULT '{}',
    ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN order_reference text,
    ADD COLUMN order_id uuid,
    ADD COLUMN solved_at timestamptz,
    ADD COLUMN closed_at timestamptz,
    ADD COLUMN merged_into uuid REFERENCES tickets.tickets (id),
    ADD COLUMN follow_up_of uuid REFERENCES tickets.tickets (id),
    ADD COLUMN split_from uuid REFERENCES tickets.tickets (id),
    ADD COLUMN first_agent_reply_at timestamptz,
    ADD COLUMN last_customer_message_at timestamptz,
    ADD COLUMN reopen_count integer NOT NULL DEFAULT 0;

-- Categories are slugs (billing, delivery, returns, product, account, other, or a store's own).
ALTER TABLE tickets.tickets ADD CONSTRAINT tickets_category_slug CHECK (category ~ '^[a-z0-9][a-z0-9-]{0,63}$');

-- Solved tickets waiting for the automatic close.
CREATE INDEX tickets_solved_idx ON tickets.tickets (solved_at) WHERE status = 'solved';
-- An agent's open work.
CREATE INDEX tickets_assignee_idx ON tickets.tickets (assignee_id, status) WHERE assignee_id IS NOT NULL;

ALTER TABLE tickets.messages
    ADD COLUMN author_id text,
    ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]'::jsonb,
    -- Where a split message came from.
    ADD COLUMN copied_from uuid;
