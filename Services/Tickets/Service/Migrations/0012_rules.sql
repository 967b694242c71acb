-- Triggers (run on ticket events) and time-based automations (run by a job), with what each automation has done.
CREATE TABLE tickets.triggers (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE,
    event text NOT NULL CHECK (event IN ('ticket.created', 'ticket.updated', 'ticket.customer_replied')),
    conditions jsonb NOT NULL DEFAULT '[]'::jsonb,
    actions jsonb NOT NULL,
    position integer NOT NULL DEFAULT 0,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX triggers_event_idx ON tickets.triggers (event, position, name) WHERE active;

CREATE TABLE tickets.automations (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE,
    "when" text NOT NULL CHECK ("when" IN ('hours_in_status', 'sla_near_breach', 'sla_breached')),
    status text,
    hours integer,
    conditions jsonb NOT NULL DEFAULT '[]'::jsonb,
    actions jsonb NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One run per automation, ticket and occasion (the status change it waited on, or the SLA due instant).
CREATE TABLE tickets.automation_runs (
    automation_id uuid NOT NULL REFERENCES tickets.automations (id) ON DELETE CASCADE,
    ticket_id uuid NOT NULL REFERENCES tickets.tickets (id),
    occasion timestamptz NOT NULL,
    ran_at timestamptz NOT NULL DEFAULT now(),
    outcome text NOT NULL,
    PRIMARY KEY (automation_id, ticket_id, occasion)
);
