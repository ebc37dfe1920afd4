-- The collection curve of a month in an org unit's subtree: the bills falling due in the
-- month (their receivable), and what was paid on them by each day of the month (day 0:
-- before the month began). $1: unit, $2: month.
WITH due AS (
    SELECT b.bill_id, b.amount
    FROM bills b
    WHERE b.due_on >= $2::DATE AND b.due_on < $2::DATE + INTERVAL 1 MONTH
      AND b.customer_id IN (SELECT customer_id FROM customers
                            WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1))
),
paid AS (
    SELECT greatest(date_diff('day', $2::DATE, p.paid_at::DATE) + 1, 0) AS day,
           sum(p.amount) AS amount
    FROM payments p SEMI JOIN due d ON d.bill_id = p.bill_id
    WHERE p.paid_at < $2::DATE + INTERVAL 1 MONTH
    GROUP BY 1
)
SELECT (SELECT coalesce(sum(amount), 0) FROM due) AS receivable, day, amount
FROM paid
UNION ALL
-- The receivable even when nothing was paid.
SELECT (SELECT coalesce(sum(amount), 0) FROM due), NULL, NULL
ORDER BY day NULLS FIRST
