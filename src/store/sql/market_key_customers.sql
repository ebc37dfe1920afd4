-- The top customers by kWh over the 12 months up to the month, in an org unit's subtree:
-- their kWh by month (13 months), the month's kWh, the same month a year before, and their
-- share of the subtree's sales in the month. $1: unit, $2: month, $3: how many.
-- The 12-month sums are taken for candidates only: the 2,000 largest of the month by kWh,
-- the 2,000 largest by capacity and the archive's key customers (a customer among the
-- largest of the year is among these), so a big project needs no sum per customer.
WITH scope AS (
    SELECT customer_id, name, customer_class, industry_code, capacity_kva, is_key
    FROM customers
    WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
),
this_month AS (
    SELECT b.customer_id, sum(b.kwh) AS kwh
    FROM bills b SEMI JOIN scope s ON s.customer_id = b.customer_id
    WHERE b.billing_month = $2::DATE
    GROUP BY 1
),
candidates AS (
    (SELECT customer_id FROM this_month ORDER BY kwh DESC NULLS LAST LIMIT 2000)
    UNION
    (SELECT customer_id FROM scope ORDER BY capacity_kva DESC NULLS LAST LIMIT 2000)
    UNION
    (SELECT customer_id FROM scope WHERE is_key)
),
monthly AS (
    SELECT b.customer_id, b.billing_month AS m, sum(b.kwh) AS kwh
    FROM bills b SEMI JOIN candidates c ON c.customer_id = b.customer_id
    WHERE b.billing_month BETWEEN $2::DATE - INTERVAL 12 MONTH AND $2::DATE
    GROUP BY ALL
),
top AS (
    SELECT customer_id, sum(kwh) FILTER (WHERE m > $2::DATE - INTERVAL 12 MONTH) AS kwh_year
    FROM monthly GROUP BY 1
    ORDER BY kwh_year DESC NULLS LAST
    LIMIT $3
),
total AS (SELECT sum(kwh) AS kwh FROM this_month)
SELECT s.customer_id, s.name, s.customer_class, s.industry_code, s.capacity_kva,
       coalesce(s.is_key, false) AS is_key, t.kwh_year,
       (SELECT kwh FROM monthly x WHERE x.customer_id = t.customer_id AND x.m = $2::DATE) AS kwh_month,
       (SELECT kwh FROM monthly x WHERE x.customer_id = t.customer_id AND x.m = $2::DATE - INTERVAL 12 MONTH) AS kwh_year_ago,
       (SELECT kwh FROM monthly x WHERE x.customer_id = t.customer_id AND x.m = $2::DATE) / nullif((SELECT kwh FROM total), 0) AS share,
       (SELECT list(x.kwh ORDER BY x.m) FROM monthly x WHERE x.customer_id = t.customer_id) AS series
FROM top t JOIN scope s USING (customer_id)
ORDER BY t.kwh_year DESC
