-- A ticket closed after its deadline, or still open past it when the data ends.
-- The hours over are counted from the days, hours, minutes and seconds of the two moments:
-- the portable form of a difference of timestamps (docs/province-scale.md).
WITH data_end AS (SELECT max(received_at) AS t FROM tickets),
k AS (
    SELECT k.ticket_id, k.unit_id, k.ticket_type, k.customer_id, k.received_at, k.deadline_at,
           k.closed_at, coalesce(k.closed_at, data_end.t) AS ended_at
    FROM tickets k, data_end
    WHERE k.deadline_at IS NOT NULL
      AND k.received_at < ${to} + INTERVAL 1 MONTH
)
SELECT 'ticket' AS entity_type, ticket_id AS entity_id, unit_id,
       date_trunc('month', received_at)::DATE AS period,
       0.0 AS amount, 0.95 AS confidence,
       ticket_type, customer_id, received_at, deadline_at, closed_at,
       round((CAST(CAST(ended_at AS DATE) - CAST(deadline_at AS DATE) AS INT) * 86400
              + (hour(ended_at) - hour(deadline_at)) * 3600
              + (minute(ended_at) - minute(deadline_at)) * 60
              + (second(ended_at) - second(deadline_at))) / 3600.0, 1) AS hours_over,
       CASE WHEN closed_at IS NULL THEN 'still open' ELSE 'closed late' END AS finding
FROM k
WHERE ended_at > deadline_at + ${grace_minutes} * INTERVAL 1 MINUTE
