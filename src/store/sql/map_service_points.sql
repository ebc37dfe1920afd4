-- Service halls and stations in an org unit's subtree, with the 95598 tickets their unit
-- received in the month. $1: unit, $2: month.
WITH tickets_of_unit AS (
    SELECT unit_id, count(*) AS tickets
    FROM tickets
    WHERE received_at >= $2::DATE AND received_at < $2::DATE + INTERVAL 1 MONTH
      AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
    GROUP BY 1
)
SELECT p.point_id, p.unit_id, p.point_type, p.name_zh, coalesce(p.name_en, p.name_zh),
       p.opening_hours, p.staff, p.lon, p.lat, coalesce(t.tickets, 0)
FROM service_points p
LEFT JOIN tickets_of_unit t USING (unit_id)
WHERE p.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
  AND p.lon IS NOT NULL AND p.lat IS NOT NULL
ORDER BY p.point_id
