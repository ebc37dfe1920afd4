-- A register reading lower than the previous one on the same meter (not a rollover of the
-- register, not a meter exchange), or time-of-use registers that do not add up to the total.
WITH r AS (
    SELECT m.*, lag(total) OVER w AS last_total, lag(meter_asset_no) OVER w AS last_meter
    FROM meter_reads m
    WHERE billing_month BETWEEN ${from} - INTERVAL 1 MONTH AND ${to}
    WINDOW w AS (PARTITION BY customer_id ORDER BY billing_month)
),
price AS (
    SELECT customer_id, sum(amount) / nullif(sum(kwh), 0) AS yuan_per_kwh FROM bills
    WHERE billing_month > ${to} - INTERVAL 12 MONTH AND billing_month <= ${to}
    GROUP BY 1
),
found AS (
    SELECT r.*, coalesce(r.prev_total, r.last_total) AS before,
           CASE WHEN r.total < coalesce(r.prev_total, r.last_total) THEN 'reading below the previous'
                ELSE 'time-of-use registers do not add up' END AS finding,
           CASE WHEN r.total < coalesce(r.prev_total, r.last_total)
                THEN coalesce(r.prev_total, r.last_total) - r.total
                ELSE abs(r.peak + r.flat + r.valley - r.total) END AS gap
    FROM r
    WHERE (r.total < coalesce(r.prev_total, r.last_total)
           AND r.meter_asset_no IS NOT DISTINCT FROM coalesce(r.last_meter, r.meter_asset_no)
           AND NOT (coalesce(r.prev_total, r.last_total) >= ${rollover_from} AND r.total < ${rollover_from} / 10))
       OR (r.peak IS NOT NULL AND r.flat IS NOT NULL AND r.valley IS NOT NULL
           AND abs(r.peak + r.flat + r.valley - r.total) > ${tou_tolerance})
)
SELECT 'customer' AS entity_type, f.customer_id AS entity_id, c.unit_id, f.billing_month AS period,
       round(f.gap * coalesce(c.multiplier, 1) * coalesce(p.yuan_per_kwh, 0), 2) AS amount,
       0.9 AS confidence,
       f.finding, f.before AS previous_reading, f.total AS reading, f.peak, f.flat, f.valley,
       round(f.gap, 2) AS gap, f.meter_asset_no
FROM found f
JOIN customers c ON c.customer_id = f.customer_id
LEFT JOIN price p ON p.customer_id = f.customer_id
