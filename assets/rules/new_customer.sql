-- A newly energised account with no consumption in its first months (as many of them as the
-- data holds, when it was energised near its end), or one consuming far above its capacity
-- from the start.
WITH firsts AS (
    SELECT b.customer_id, b.billing_month, b.kwh,
           row_number() OVER (PARTITION BY b.customer_id ORDER BY b.billing_month) AS n
    FROM bills b JOIN customers c USING (customer_id)
    WHERE c.opened_on >= (SELECT min(billing_month) FROM bills)
),
early AS (
    SELECT f.customer_id, min(f.billing_month) AS first_month, count(*) AS months,
           count(*) FILTER (WHERE f.kwh = 0) AS zero_months, max(f.kwh) AS max_kwh
    FROM firsts f WHERE f.n <= ${months}
    GROUP BY 1
    HAVING count(*) = ${months}
        OR max(f.billing_month) = (SELECT max(billing_month) FROM bills WHERE billing_month <= ${to})
)
SELECT 'customer' AS entity_type, c.customer_id AS entity_id, c.unit_id, e.first_month AS period,
       0.0 AS amount, round(0.85 * e.months / ${months}, 2) AS confidence,
       c.opened_on, e.months, e.zero_months, round(e.max_kwh) AS max_kwh, c.capacity_kva,
       CASE WHEN e.zero_months = e.months THEN 'no consumption' ELSE 'far above capacity' END AS finding
FROM early e JOIN customers c ON c.customer_id = e.customer_id
WHERE c.status = 'normal'
  AND (e.zero_months = e.months
       OR e.max_kwh > ${max_ratio} * c.capacity_kva * 24 * 31)
