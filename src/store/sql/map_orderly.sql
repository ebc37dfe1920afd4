-- Customers in an orderly consumption plan in force during the month, in an org unit's
-- subtree: level and load to shed. $1: unit, $2: month.
SELECT o.plan_id, o.customer_id, c.name, c.unit_id, o.plan_level, o.shed_kw, c.lon, c.lat
FROM orderly_plans o
JOIN customers c USING (customer_id)
WHERE c.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
  AND o.valid_from < $2::DATE + INTERVAL 1 MONTH
  AND (o.valid_to IS NULL OR o.valid_to >= $2::DATE)
  AND c.lon IS NOT NULL AND c.lat IS NOT NULL
ORDER BY o.plan_level, o.shed_kw DESC
