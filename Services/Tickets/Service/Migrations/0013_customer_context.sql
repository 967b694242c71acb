-- The customer's segments when the ticket was opened (from the customers service), for SLA policies by segment.
-- A snapshot on purpose: the SLA a ticket was promised does not change when the customer's segments change later.
ALTER TABLE tickets.tickets ADD COLUMN customer_segments text[] NOT NULL DEFAULT '{}';
