-- A bill paid late whose late fee was not charged, or was waived without an approval.
-- The fee is owed on each part paid late, for the days that part was late: residential
-- 0.1 %/day; others 0.2 %/day in the year the bill fell due and 0.3 %/day for days in later
-- years. A part paid on time owes nothing, so a bill paid mostly on time owes a fee only on
-- the rest.
WITH audited AS (
    SELECT bill_id, customer_id, billing_month, amount, due_on FROM bills
    WHERE billing_month BETWEEN ${from} AND ${to} AND amount > 0
),
late AS (
    SELECT a.bill_id, p.paid_at::DATE AS paid_on, CAST(p.paid_at::DATE - a.due_on AS INT) AS days_late,
           greatest(least(p.amount, a.amount), 0) AS part,
           coalesce(p.late_fee, 0) AS charged, coalesce(p.late_fee_waived, 0) AS waived,
           coalesce(p.late_fee_waived, 0) > 0 AND coalesce(p.waiver_approval, '') = '' AS unapproved,
           make_date(year(a.due_on), 12, 31) AS year_end, a.due_on
    FROM payments p JOIN audited a ON a.bill_id = p.bill_id
    WHERE p.paid_at >= a.due_on + INTERVAL 1 DAY
),
per_bill AS (
    SELECT l.bill_id, max(l.days_late) AS days_late,
           sum(l.charged) AS charged, sum(l.waived) AS waived, bool_or(l.unapproved) AS unapproved,
           sum(CASE WHEN c.customer_class = 'residential' THEN l.part * 0.001 * l.days_late
                    ELSE l.part * (0.002 * greatest(CAST(least(l.paid_on, l.year_end) - l.due_on AS INT), 0)
                                   + 0.003 * greatest(CAST(l.paid_on - l.year_end AS INT), 0)) END) AS fee
    FROM late l
    JOIN audited a ON a.bill_id = l.bill_id
    JOIN customers c ON c.customer_id = a.customer_id
    GROUP BY 1
)
SELECT 'customer' AS entity_type, a.customer_id AS entity_id, c.unit_id, a.billing_month AS period,
       round(CASE WHEN pb.unapproved THEN pb.waived ELSE pb.fee - pb.charged - pb.waived END, 2) AS amount,
       0.9 AS confidence,
       a.bill_id, pb.days_late, round(pb.fee, 2) AS fee_due, round(pb.charged, 2) AS fee_charged,
       round(pb.waived, 2) AS fee_waived,
       CASE WHEN pb.unapproved THEN 'waived without approval' ELSE 'not charged' END AS finding
FROM per_bill pb
JOIN audited a ON a.bill_id = pb.bill_id
JOIN customers c ON c.customer_id = a.customer_id
WHERE pb.fee >= ${min_fee}
  AND (pb.unapproved OR pb.charged + pb.waived < pb.fee * (1 - ${tolerance_pct} / 100))
