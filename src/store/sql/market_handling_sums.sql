-- market_handling.sql from the prebuilt handling times. $1: unit, $2: month.
SELECT customer_class, handling_days, limit_days
FROM handling_apps
WHERE month BETWEEN $2::DATE - INTERVAL 11 MONTH AND $2::DATE
  AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
