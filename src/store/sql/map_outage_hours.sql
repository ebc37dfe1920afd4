-- Outages starting in each hour of a month in an org unit's subtree, to find busy moments.
-- $1: unit, $2: month.
SELECT date_trunc('hour', start_at) AS hour, count(*) AS outages
FROM outages
WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
  AND start_at >= $2::DATE AND start_at < $2::DATE + INTERVAL 1 MONTH
GROUP BY 1
ORDER BY 1
