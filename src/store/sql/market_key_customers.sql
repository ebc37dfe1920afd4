-- The top customers by kWh over the 12 months up to the month, in an org unit's subtree:
-- their kWh by month (13 months), the month's kWh, the same month a year before, and their
-- share of the subtree's sales in the month. $1: unit, $2: month, $3: how many.
WITH scope AS (
    SELECT customer_id, name, customer_class, industry_code, capacity_kva, is_key
    FROM customers
    WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
),
monthly AS (
    SELECT b.customer_id, b.billing_month AS m, sum(b.kwh) AS kwh
    FROM bills b SEMI JOIN scope s ON s.customer_id = b.customer_id
    WHERE b.billing_month BETWEEN $2::DATE - INTERVAL 12 MONTH AND $2::DATE
    GROUP BY ALL
),
top AS (
    SELECT customer_id, sum(kwh) FILTER (WHERE m > $2::DATE - INTERVAL 12 MONTH) AS kwh_year
    FROM monthly GROUP BY 1
    ORDER BY kwh_year DESC NULLS LAST
    LIMIT $3
),
total AS (SELECT sum(kwh) AS kwh FROM monthly WHERE m = $2::DATE)
SELECT s.customer_id, s.name, s.customer_class, s.industry_code, s.capacity_kva,
       coalesce(s.is_key, false) AS is_key, t.kwh_year,
       (SELECT kwh FROM monthly x WHERE x.customer_id = t.customer_id AND x.m = $2::DATE) AS kwh_month,
       (SELECT kwh FROM monthly x WHERE x.customer_id = t.customer_id AND x.m = $2::DATE - INTERVAL 12 MONTH) AS kwh_year_ago,
       (SELECT kwh FROM monthly x WHERE x.customer_id = t.customer_id AND x.m = $2::DATE) / nullif((SELECT kwh FROM total), 0) AS share,
       (SELECT list(x.kwh ORDER BY x.m) FROM monthly x WHERE x.customer_id = t.customer_id) AS series
FROM top t JOIN scope s USING (customer_id)
ORDER BY t.kwh_year DESC
