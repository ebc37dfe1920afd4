-- The largest customers of the month by kWh in an org unit's subtree, with where they are,
-- the same month a year before and their open audit suspects. $1: unit, $2: month, $3: how
-- many. Continued by map_key_customers_details.sql.
WITH month_kwh AS (
    SELECT b.customer_id, sum(b.kwh) AS kwh
    FROM bills b
    WHERE b.billing_month = $2::DATE
      AND b.customer_id IN (SELECT customer_id FROM customers
                            WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1))
    GROUP BY 1
    ORDER BY kwh DESC NULLS LAST, customer_id
    LIMIT $3
),
