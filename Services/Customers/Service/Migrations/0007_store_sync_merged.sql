-- A partial order body over a stored order only adds what is new: its own outcome, `merged`.
ALTER TABLE customers.store_deliveries DROP CONSTRAINT store_deliveries_outcome_check;
ALTER TABLE customers.store_deliveries ADD CONSTRAINT store_deliveries_outcome_check
    CHECK (outcome IN ('applied', 'stale', 'merged', 'ignored', 'failed', 'redacted'));
