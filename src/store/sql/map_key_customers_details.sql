-- The rest of map_key_customers*.sql: for the customers of month_kwh, where they are, the same
-- month a year before and their open audit suspects. $2: month.
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
