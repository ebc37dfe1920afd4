-- Outages in progress at some time during a month in an org unit's subtree (an outage
-- without an end is still in progress). $1: unit, $2: month.
SELECT outage_id, unit_id, coalesce(feeder_id, ''), start_at, end_at, planned,
       coalesce(cause, ''), customers_affected
FROM outages
WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
  AND start_at < $2::DATE + INTERVAL 1 MONTH
  AND (end_at IS NULL OR end_at > $2::DATE::TIMESTAMP)
ORDER BY start_at
