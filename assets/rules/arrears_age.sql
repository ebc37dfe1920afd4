-- A bill unpaid more than the given days after its due date, as of the last payment in the
-- data, with no dunning or disconnection notice on record.
WITH as_of AS (SELECT max(paid_at)::DATE AS d FROM payments),
-- Bills of the audited months past the age limit with no notice: the only candidates; their
-- payments all come after the first audited month.
candidates AS (
    SELECT b.* FROM bills b, as_of
    WHERE b.billing_month BETWEEN ${from} AND ${to} AND b.dunning_on IS NULL
      AND CAST(as_of.d - b.due_on AS INT) > ${days}
),
paid AS (
    SELECT p.bill_id, sum(p.amount) AS paid FROM payments p, as_of
    WHERE p.paid_at >= ${from} AND p.paid_at::DATE <= as_of.d GROUP BY 1
)
SELECT 'customer' AS entity_type, b.customer_id AS entity_id, c.unit_id, b.billing_month AS period,
       round(b.amount - coalesce(p.paid, 0), 2) AS amount,
       0.9 AS confidence,
       b.bill_id, b.due_on, CAST(as_of.d - b.due_on AS INT) AS days_overdue, round(b.amount, 2) AS billed,
       round(coalesce(p.paid, 0), 2) AS paid
FROM candidates b
CROSS JOIN as_of
JOIN customers c ON c.customer_id = b.customer_id
LEFT JOIN paid p ON p.bill_id = b.bill_id
WHERE b.amount - coalesce(p.paid, 0) > ${min_amount}
