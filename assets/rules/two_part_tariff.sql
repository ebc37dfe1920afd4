-- Accounts at or above the capacity threshold on a single-part tariff of a class that has a
-- two-part tariff in the catalogue (table tariffs): they must pay the basic (capacity)
-- charge. Amount at stake: a year of basic charge at the catalogue's basic price of the
-- two-part tariffs open to the classes that use the account's tariff (the lowest of them).
WITH single_part AS (
    SELECT s.tariff_code, min(t.basic_price) AS basic_price
    FROM tariffs s JOIN tariffs t ON t.customer_class = s.customer_class AND t.basic_price > 0
    WHERE coalesce(s.basic_price, 0) = 0
    GROUP BY 1
)
SELECT 'customer' AS entity_type, c.customer_id AS entity_id, c.unit_id, NULL::DATE AS period,
       round(c.capacity_kva * sp.basic_price * 12, 2) AS amount,
       0.95 AS confidence,
       c.capacity_kva, c.tariff_code, c.customer_class, sp.basic_price
FROM customers c
JOIN single_part sp ON sp.tariff_code = c.tariff_code
WHERE c.status = 'normal'
  AND c.capacity_kva >= ${min_kva}
