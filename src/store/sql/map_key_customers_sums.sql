-- map_key_customers.sql from the prebuilt monthly top 300 of each unit. $1: unit, $2: month,
-- $3: how many (at most 300).
WITH month_kwh AS (
    SELECT customer_id, kwh
    FROM month_top_unit_month
    WHERE month = $2::DATE
      AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
    ORDER BY kwh DESC NULLS LAST, customer_id
    LIMIT $3
),
year_ago AS (
    SELECT b.customer_id, sum(b.kwh) AS kwh
    FROM bills b SEMI JOIN month_kwh m ON m.customer_id = b.customer_id
    WHERE b.billing_month = $2::DATE - INTERVAL 12 MONTH
    GROUP BY 1
),
open_suspects AS (
    SELECT s.entity_id AS customer_id, count(*) AS n
    FROM audit_suspects s SEMI JOIN month_kwh m ON m.customer_id = s.entity_id
    WHERE s.entity_type = 'customer' AND s.still_found
      AND s.status NOT IN ('false_positive', 'closed', 'rectified')
    GROUP BY 1
)
SELECT c.customer_id, c.name, c.unit_id, c.customer_class, c.lon, c.lat, m.kwh, y.kwh,
       coalesce(o.n, 0)
FROM month_kwh m
JOIN customers c USING (customer_id)
LEFT JOIN year_ago y USING (customer_id)
LEFT JOIN open_suspects o USING (customer_id)
WHERE c.lon IS NOT NULL AND c.lat IS NOT NULL
ORDER BY m.kwh DESC, c.customer_id
