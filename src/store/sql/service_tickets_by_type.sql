-- Tickets received in a month by type, in an org unit's subtree. $1: unit, $2: month.
SELECT ticket_type, count(*) AS tickets
FROM tickets
WHERE received_at >= $2::DATE AND received_at < $2::DATE + INTERVAL 1 MONTH
  AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
GROUP BY 1
ORDER BY 2 DESC
