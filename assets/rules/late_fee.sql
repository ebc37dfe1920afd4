-- A bill paid late whose late fee was not charged, or was waived without an approval.
-- Fee rates: residential 0.1 %/day; others 0.2 %/day in the year the bill fell due and
-- 0.3 %/day for days in later years.
WITH audited AS (
    SELECT bill_id, customer_id, billing_month, amount, due_on FROM bills
    WHERE billing_month BETWEEN ${from} AND ${to} AND amount > 0
),
-- Only payments made after the due date can carry (or owe) a late fee.
per_bill AS (
    SELECT p.bill_id, max(p.paid_at)::DATE AS paid_on,
           sum(coalesce(p.late_fee, 0)) AS charged,
           sum(coalesce(p.late_fee_waived, 0)) AS waived,
           bool_or(coalesce(p.late_fee_waived, 0) > 0 AND coalesce(p.waiver_approval, '') = '') AS unapproved
    FROM payments p JOIN audited a ON a.bill_id = p.bill_id
    WHERE p.paid_at >= a.due_on + INTERVAL 1 DAY
    GROUP BY 1
),
due AS (
    SELECT b.bill_id, b.customer_id, b.billing_month, b.amount, b.due_on, pb.paid_on, pb.charged,
           pb.waived, pb.unapproved, c.unit_id, c.customer_class,
           pb.paid_on - b.due_on AS days_late,
           CASE WHEN c.customer_class = 'residential' THEN b.amount * 0.001 * (pb.paid_on - b.due_on)
                ELSE b.amount * (0.002 * greatest(least(pb.paid_on, make_date(year(b.due_on), 12, 31)) - b.due_on, 0)
                                 + 0.003 * greatest(pb.paid_on - make_date(year(b.due_on), 12, 31), 0)) END AS fee
    FROM audited b
    JOIN per_bill pb ON pb.bill_id = b.bill_id
    JOIN customers c ON c.customer_id = b.customer_id
)
SELECT 'customer' AS entity_type, customer_id AS entity_id, unit_id, billing_month AS period,
       round(CASE WHEN unapproved THEN waived ELSE fee - charged - waived END, 2) AS amount,
       0.9 AS confidence,
       bill_id, days_late, round(fee, 2) AS fee_due, round(charged, 2) AS fee_charged,
       round(waived, 2) AS fee_waived,
       CASE WHEN unapproved THEN 'waived without approval' ELSE 'not charged' END AS finding
FROM due
WHERE fee >= ${min_fee}
  AND (unapproved OR charged + waived < fee * (1 - ${tolerance_pct} / 100))
