-- The trained category classifier (Routing/CategoryClassifier.swift): one row, replaced by each training.
CREATE TABLE tickets.category_model (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    id uuid NOT NULL,
    examples integer NOT NULL,
    model jsonb NOT NULL,
    trained_at timestamptz NOT NULL DEFAULT now()
);
