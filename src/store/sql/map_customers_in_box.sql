-- Customers of an org unit's subtree inside a box, with the month's kWh, and how many are
-- inside in all. $1: unit, $2..$5: west, south, east, north, $6: month, $7: how many at most.
WITH inside AS (
    SELECT customer_id, name, unit_id, customer_class, status, lon, lat,
           count(*) OVER () AS total
    FROM customers
    WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
      AND lon BETWEEN $2 AND $4 AND lat BETWEEN $3 AND $5
    ORDER BY customer_id
    LIMIT $7
),
kwh AS (
    SELECT b.customer_id, sum(b.kwh) AS kwh
    FROM bills b SEMI JOIN inside i ON i.customer_id = b.customer_id
    WHERE b.billing_month = $6::DATE
    GROUP BY 1
)
SELECT i.customer_id, i.name, i.unit_id, i.customer_class, i.status, i.lon, i.lat, k.kwh, i.total
FROM inside i LEFT JOIN kwh k USING (customer_id)
ORDER BY i.customer_id
