-- Arrears at the month's end by days past due and by the units one level down (the unit
-- itself when it has none), as the arrears indicator counts them: bills due by the end of
-- the month, max(amount - paid by then, 0). Also the part billed in the cut-off's year.
-- $1: unit, $2: the day after the month (the cut-off).
WITH below AS (
    SELECT unit_id FROM org_units WHERE parent_id = $1
    UNION ALL
    SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM org_units WHERE parent_id = $1)
),
cust AS (
    SELECT c.customer_id, b.unit_id AS unit
    FROM customers c
    JOIN org_closure oc ON oc.unit_id = c.unit_id
    JOIN below b ON b.unit_id = oc.ancestor_id
),
due AS (
    SELECT cu.unit, bl.bill_id, bl.amount, bl.due_on, bl.billing_month
    FROM bills bl JOIN cust cu USING (customer_id)
    WHERE bl.due_on < $2::DATE
),
paid AS (
    SELECT p.bill_id, sum(p.amount) AS paid
    FROM payments p SEMI JOIN due d ON d.bill_id = p.bill_id
    WHERE p.paid_at < $2::DATE
    GROUP BY 1
),
open AS (
    SELECT d.unit, d.amount - coalesce(p.paid, 0) AS owed,
           date_diff('day', d.due_on, $2::DATE - INTERVAL 1 DAY) AS days,
           year(d.billing_month) = year($2::DATE - INTERVAL 1 DAY) AS this_year
    FROM due d LEFT JOIN paid p USING (bill_id)
    WHERE d.amount - coalesce(p.paid, 0) > 0
)
SELECT unit,
       CASE WHEN days <= 30 THEN 0 WHEN days <= 90 THEN 1 WHEN days <= 180 THEN 2
            WHEN days <= 365 THEN 3 ELSE 4 END AS bucket,
       sum(owed) AS arrears,
       count(*) AS bills,
       coalesce(sum(owed) FILTER (WHERE this_year), 0) AS this_year
FROM open
GROUP BY 1, 2
ORDER BY 1, 2
