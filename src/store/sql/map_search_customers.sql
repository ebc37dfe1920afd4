-- Customers of an org unit's subtree whose number starts with, or whose name contains, the
-- text. $1: unit, $2: text (lower case), $3: how many at most.
SELECT customer_id, name, unit_id, customer_class, status, lon, lat, NULL::DOUBLE, 0
FROM customers
WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
  AND lon IS NOT NULL AND lat IS NOT NULL
  AND (starts_with(lower(customer_id), $2) OR contains(lower(name), $2))
ORDER BY customer_id
LIMIT $3
