-- The knowledge base: self-service articles (FAQ) searched with PostgreSQL full-text search, the views of published
-- articles and the deflections (a customer who read a suggested article and did not open a ticket).

-- The text search configuration of an article's locale: its language's stemmer, 'simple' for languages without one.
-- IMMUTABLE so that the generated column below may use it; the mapping must therefore never change in place (add a
-- migration that rebuilds the column instead).
CREATE FUNCTION tickets.kb_search_config(locale text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE lower(split_part(coalesce(locale, 'en'), '-', 1))
        WHEN 'en' THEN 'english'::regconfig
        WHEN 'de' THEN 'german'::regconfig
        WHEN 'fr' THEN 'french'::regconfig
        WHEN 'es' THEN 'spanish'::regconfig
        WHEN 'it' THEN 'italian'::regconfig
        WHEN 'nl' THEN 'dutch'::regconfig
        WHEN 'pt' THEN 'portuguese'::regconfig
        WHEN 'sv' THEN 'swedish'::regconfig
        WHEN 'da' THEN 'danish'::regconfig
        WHEN 'nb' THEN 'norwegian'::regconfig
        WHEN 'no' THEN 'norwegian'::regconfig
        WHEN 'fi' THEN 'finnish'::regconfig
        ELSE 'simple'::regconfig
    END
$$;

-- Tags as one text for the search vector (array_to_string is only STABLE in general; over text[] it is immutable).
CREATE FUNCTION tickets.kb_tags_text(tags text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(array_to_string(tags, ' '), '') $$;

CREATE TABLE tickets.kb_articles (
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    title text NOT NULL,
    body text NOT NULL,
    category text NOT NULL CHECK (category ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    tags text[] NOT NULL DEFAULT '{}',
    locale text NOT NULL DEFAULT 'en',
    status text NOT NULL CHECK (status IN ('draft', 'published')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    -- Title weighs most (A), then tags (B), then the body (C): a title hit outranks a body hit.
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(tickets.kb_search_config(locale), title), 'A')
        || setweight(to_tsvector(tickets.kb_search_config(locale), tickets.kb_tags_text(tags)), 'B')
        || setweight(to_tsvector(tickets.kb_search_config(locale), body), 'C')
    ) STORED
);

CREATE INDEX kb_articles_search_idx ON tickets.kb_articles USING gin (search);
CREATE INDEX kb_articles_listing_idx ON tickets.kb_articles (status, category, updated_at DESC, id);

-- Reads of published articles by customers and portals, one counter per article and day.
CREATE TABLE tickets.kb_article_views (
    article_id uuid NOT NULL REFERENCES tickets.kb_articles (id) ON DELETE CASCADE,
    day date NOT NULL,
    views bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, day)
);

-- One row per deflection; the operation's idempotency key makes a retried report count once.
CREATE TABLE tickets.kb_deflections (
    id uuid PRIMARY KEY,
    article_id uuid NOT NULL REFERENCES tickets.kb_articles (id) ON DELETE CASCADE,
    customer_id uuid,
    query text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX kb_deflections_article_idx ON tickets.kb_deflections (article_id, created_at);
CREATE INDEX kb_deflections_customer_idx ON tickets.kb_deflections (customer_id) WHERE customer_id IS NOT NULL;
