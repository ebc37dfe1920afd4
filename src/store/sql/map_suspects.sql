-- Open audit suspects of the month in an org unit's subtree, placed at their customer, or
-- at their unit's seat when the suspect is not about a customer. $1: unit, $2: month.
SELECT s.suspect_key, s.rule_id, s.entity_type, s.entity_id, s.unit_id, s.amount, s.status,
       coalesce(c.lon, u.lon), coalesce(c.lat, u.lat)
FROM audit_suspects s
LEFT JOIN customers c ON s.entity_type = 'customer' AND c.customer_id = s.entity_id
LEFT JOIN org_units u ON u.unit_id = s.unit_id
WHERE s.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
  AND (s.period IS NULL OR s.period = $2::DATE)
  AND s.still_found AND s.status NOT IN ('false_positive', 'closed', 'rectified')
  AND coalesce(c.lon, u.lon) IS NOT NULL
ORDER BY s.score DESC
