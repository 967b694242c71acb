-- WooCommerce order.deleted: the mirrored order stays for the history, in state 'deleted'.
ALTER TABLE customers.orders DROP CONSTRAINT orders_state_check;
ALTER TABLE customers.orders ADD CONSTRAINT orders_state_check
    CHECK (state IN ('open', 'closed', 'cancelled', 'deleted'));
