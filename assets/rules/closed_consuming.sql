-- A closed or suspended account whose register keeps advancing, or that is still billed for
-- energy, after the status took effect.
WITH after AS (
    SELECT c.customer_id, c.unit_id, c.status, c.status_date, r.billing_month, r.read_date,
           r.total - coalesce(r.prev_total, lag(r.total) OVER w) AS advance
    FROM customers c JOIN meter_reads r USING (customer_id)
    WHERE c.status IN ('closed', 'suspended') AND c.status_date IS NOT NULL
    WINDOW w AS (PARTITION BY r.customer_id ORDER BY r.billing_month)
),
hits AS (
    SELECT customer_id, unit_id, status, status_date, min(billing_month) AS first_month,
           count(*) AS months, sum(advance) AS register_advance
    FROM after
    WHERE coalesce(read_date, billing_month) > status_date AND advance > ${min_advance}
    GROUP BY ALL
),
billed AS (
    SELECT h.customer_id, sum(b.kwh) AS kwh, sum(b.amount) AS amount
    FROM hits h JOIN bills b ON b.customer_id = h.customer_id AND b.billing_month >= date_trunc('month', h.status_date)
    GROUP BY 1
)
SELECT 'customer' AS entity_type, h.customer_id AS entity_id, h.unit_id, h.first_month AS period,
       round(coalesce(bl.amount, 0), 2) AS amount, 0.9 AS confidence,
       h.status, h.status_date, h.months, round(h.register_advance, 2) AS register_advance,
       round(coalesce(bl.kwh, 0)) AS kwh_billed_after
FROM hits h LEFT JOIN billed bl ON bl.customer_id = h.customer_id
