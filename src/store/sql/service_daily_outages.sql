-- Sustained interruptions (over 5 minutes, ended) per day in an org unit's subtree, as the
-- indicators count them: customer-minutes and customers interrupted. $1: unit, $2: first
-- day, $3: day after the last.
SELECT start_at::DATE AS day,
       sum(customers_affected * epoch(end_at - start_at) / 60.0) AS customer_minutes,
       sum(customers_affected) AS interruptions
FROM outages
WHERE end_at IS NOT NULL AND epoch(end_at - start_at) > 300
  AND start_at >= $2::DATE AND start_at < $3::DATE
  AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
GROUP BY 1
ORDER BY 1
