-- Days with vehicle positions in an org unit's subtree, newest first. $1: unit.
SELECT DISTINCT ts::DATE AS day
FROM vehicle_positions
WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
ORDER BY day DESC
