-- Every position fix of a day in an org unit's subtree, by vehicle and time. $1: unit,
-- $2: day.
SELECT vehicle_id, coalesce(plate, vehicle_id), unit_id, ts, lon, lat, coalesce(status, '')
FROM vehicle_positions
WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
  AND ts >= $2::DATE AND ts < $2::DATE + INTERVAL 1 DAY
  AND lon IS NOT NULL AND lat IS NOT NULL
ORDER BY vehicle_id, ts
