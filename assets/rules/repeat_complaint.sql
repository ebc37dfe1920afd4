-- The same customer complaining again within the given days of an earlier complaint.
-- The days between are counted from the days, hours, minutes and seconds of the two moments:
-- the portable form of a difference of timestamps (docs/province-scale.md).
WITH c AS (
    SELECT ticket_id, customer_id, unit_id, received_at,
           lag(received_at) OVER w AS previous_at, lag(ticket_id) OVER w AS previous_ticket
    FROM tickets
    WHERE ticket_type = 'complaint' AND customer_id IS NOT NULL
      AND received_at < ${to} + INTERVAL 1 MONTH
    WINDOW w AS (PARTITION BY customer_id ORDER BY received_at)
)
SELECT 'customer' AS entity_type, customer_id AS entity_id, unit_id,
       date_trunc('month', received_at)::DATE AS period,
       0.0 AS amount, 0.9 AS confidence,
       previous_ticket, previous_at, ticket_id, received_at,
       round((CAST(CAST(received_at AS DATE) - CAST(previous_at AS DATE) AS INT) * 86400
              + (hour(received_at) - hour(previous_at)) * 3600
              + (minute(received_at) - minute(previous_at)) * 60
              + (second(received_at) - second(previous_at))) / 86400.0, 1) AS days_between
FROM c
WHERE previous_at IS NOT NULL AND received_at <= previous_at + ${days} * INTERVAL 1 DAY
