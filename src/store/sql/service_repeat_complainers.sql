-- Customers who complained again within 30 days, the repeat falling in the month, in an org
-- unit's subtree: customer, unit, complaints in the 30 days before the repeat, first and last.
-- $1: unit, $2: month.
WITH c AS (
    SELECT customer_id, unit_id, received_at,
           count(*) OVER (PARTITION BY customer_id ORDER BY received_at
                          RANGE BETWEEN INTERVAL 30 DAY PRECEDING AND CURRENT ROW) AS in_30_days,
           min(received_at) OVER (PARTITION BY customer_id ORDER BY received_at
                          RANGE BETWEEN INTERVAL 30 DAY PRECEDING AND CURRENT ROW) AS first_at
    FROM tickets
    WHERE ticket_type = 'complaint' AND customer_id IS NOT NULL
      AND received_at >= $2::DATE - INTERVAL 1 MONTH AND received_at < $2::DATE + INTERVAL 1 MONTH
      AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
)
SELECT customer_id, any_value(unit_id) AS unit_id, max(in_30_days) AS complaints,
       min(first_at) AS first_at, max(received_at) AS last_at
FROM c
WHERE in_30_days >= 2 AND received_at >= $2::DATE
GROUP BY 1
ORDER BY complaints DESC, last_at DESC
