-- market_key_customers.sql from the prebuilt candidates: the largest customers of a subtree
-- over the 12 months up to the month are among the 20 largest of their own units, so only
-- those are looked up. The month's total comes from the indicator sums. $1: unit, $2: month,
-- $3: how many (at most 20).
WITH units AS (SELECT unit_id FROM org_closure WHERE ancestor_id = $1),
top AS (
    SELECT k.customer_id, k.kwh_12m AS kwh_year
    FROM key_candidates_unit_month k SEMI JOIN units USING (unit_id)
    WHERE k.month = $2::DATE
    ORDER BY kwh_year DESC, customer_id
    LIMIT $3
),
monthly AS (
    SELECT b.customer_id, b.billing_month AS m, sum(b.kwh) AS kwh
    FROM bills b SEMI JOIN top t ON t.customer_id = b.customer_id
    WHERE b.billing_month BETWEEN $2::DATE - INTERVAL 12 MONTH AND $2::DATE
    GROUP BY ALL
),
total AS (
    SELECT sum(kwh) AS kwh FROM kpi_unit_month SEMI JOIN units USING (unit_id)
    WHERE month = $2::DATE
)
SELECT s.customer_id, s.name, s.customer_class, s.industry_code, s.capacity_kva,
       coalesce(s.is_key, false) AS is_key, t.kwh_year,
       (SELECT kwh FROM monthly x WHERE x.customer_id = t.customer_id AND x.m = $2::DATE) AS kwh_month,
       (SELECT kwh FROM monthly x WHERE x.customer_id = t.customer_id AND x.m = $2::DATE - INTERVAL 12 MONTH) AS kwh_year_ago,
       (SELECT kwh FROM monthly x WHERE x.customer_id = t.customer_id AND x.m = $2::DATE) / nullif((SELECT kwh FROM total), 0) AS share,
       (SELECT list(x.kwh ORDER BY x.m) FROM monthly x WHERE x.customer_id = t.customer_id) AS series
FROM top t JOIN customers s USING (customer_id)
ORDER BY t.kwh_year DESC, t.customer_id
