-- Where every customer of an org unit's subtree is. $1: unit.
SELECT lon, lat
FROM customers
WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
  AND lon IS NOT NULL AND lat IS NOT NULL
