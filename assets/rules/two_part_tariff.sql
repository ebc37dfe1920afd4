-- Accounts at or above the capacity threshold on a single-part commercial or industrial tariff:
-- they must pay the basic (capacity) charge of a two-part tariff. Amount at stake: a year of
-- basic charge at the capacity price.
SELECT 'customer' AS entity_type, c.customer_id AS entity_id, c.unit_id, NULL::DATE AS period,
       round(c.capacity_kva * ${basic_price} * 12, 2) AS amount,
       0.95 AS confidence,
       c.capacity_kva, c.tariff_code, c.customer_class
FROM customers c
WHERE c.status = 'normal'
  AND c.capacity_kva >= ${min_kva}
  AND c.tariff_code IN ('C-SINGLE', 'I-SINGLE')
