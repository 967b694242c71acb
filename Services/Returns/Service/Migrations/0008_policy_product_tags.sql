-- Return policies by product tag (the customers service mirrors products, so order lines carry their tags), and
-- final-sale exclusions by product tag. See docs/returns.md.
ALTER TABLE returns.policies
    ADD COLUMN product_tag text,
    ADD COLUMN final_sale_product_tags text[] NOT NULL DEFAULT '{final-sale}';
