-- Billed kWh and amount receivable of one month by customer class, in an org unit's subtree
-- (the sums behind sales, revenue and average price). $1: unit, $2: month.
SELECT c.customer_class, sum(b.kwh) AS kwh, sum(b.amount) AS receivable
FROM bills b JOIN customers c USING (customer_id)
WHERE b.billing_month = $2
  AND c.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
GROUP BY 1
ORDER BY 1
