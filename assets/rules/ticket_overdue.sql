-- A ticket closed after its deadline, or still open past it when the data ends.
WITH data_end AS (SELECT max(received_at) AS t FROM tickets)
SELECT 'ticket' AS entity_type, k.ticket_id AS entity_id, k.unit_id,
       date_trunc('month', k.received_at)::DATE AS period,
       0.0 AS amount, 0.95 AS confidence,
       k.ticket_type, k.customer_id, k.received_at, k.deadline_at, k.closed_at,
       round(epoch(coalesce(k.closed_at, data_end.t) - k.deadline_at) / 3600, 1) AS hours_over,
       CASE WHEN k.closed_at IS NULL THEN 'still open' ELSE 'closed late' END AS finding
FROM tickets k, data_end
WHERE k.deadline_at IS NOT NULL
  AND coalesce(k.closed_at, data_end.t) > k.deadline_at + INTERVAL (${grace_minutes}) MINUTE
  AND k.received_at < ${to} + INTERVAL 1 MONTH
