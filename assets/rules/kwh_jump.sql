-- Month-on-month or year-on-year change of billed kWh beyond the threshold, above a floor.
-- One suspect per episode (its first month). Months with zero kWh are left to zero_kwh, a
-- capacity change energised in the window explains a jump, and a year-on-year change counts
-- only where the year-on-year ratio itself steps (a gradual decline is left to key_drop).
WITH monthly AS (
    SELECT customer_id, billing_month AS m, sum(kwh) AS kwh, sum(amount) AS amount
    FROM bills WHERE billing_month BETWEEN ${from} - INTERVAL 14 MONTH AND ${to}
    GROUP BY ALL
),
s AS (
    SELECT *,
           lag(kwh) OVER w AS prev_kwh,
           lag(m) OVER w AS prev_m,
           CASE WHEN lag(m, 12) OVER w = m - INTERVAL 12 MONTH THEN lag(kwh, 12) OVER w END AS yago_kwh
    FROM monthly
    WINDOW w AS (PARTITION BY customer_id ORDER BY m)
),
stepped AS (
    SELECT s.*, kwh / nullif(yago_kwh, 0) AS yoy_ratio,
           lag(kwh / nullif(yago_kwh, 0)) OVER (PARTITION BY customer_id ORDER BY m) AS prev_yoy_ratio
    FROM s
),
flagged AS (
    SELECT *,
           coalesce(kwh > 0 AND prev_kwh > 0 AND prev_m = m - INTERVAL 1 MONTH
             AND greatest(kwh, prev_kwh) >= ${floor_kwh}
             AND abs(kwh / prev_kwh - 1) > ${threshold_pct} / 100, false) AS mom,
           coalesce(kwh > 0 AND yago_kwh > 0 AND greatest(kwh, yago_kwh) >= ${floor_kwh}
             AND abs(yoy_ratio - 1) > ${threshold_pct} / 100
             AND prev_yoy_ratio > 0 AND abs(yoy_ratio / prev_yoy_ratio - 1) > ${threshold_pct} / 200, false) AS yoy
    FROM stepped
),
episodes AS (
    SELECT *, (mom OR yoy) AS hit, lag(mom OR yoy, 1, false) OVER (PARTITION BY customer_id ORDER BY m) AS was_hit
    FROM flagged
)
SELECT 'customer' AS entity_type, e.customer_id AS entity_id, c.unit_id, e.m AS period,
       round(abs(e.kwh - CASE WHEN e.mom THEN e.prev_kwh ELSE e.yago_kwh END)
             * e.amount / nullif(e.kwh, 0), 2) AS amount,
       least(0.95, 0.5 + abs(ln(e.kwh / CASE WHEN e.mom THEN e.prev_kwh ELSE e.yago_kwh END)) / 2) AS confidence,
       CASE WHEN e.mom THEN 'month on month' ELSE 'year on year' END AS compared,
       round(CASE WHEN e.mom THEN e.prev_kwh ELSE e.yago_kwh END) AS kwh_before,
       round(e.kwh) AS kwh_after,
       round(100 * (e.kwh / CASE WHEN e.mom THEN e.prev_kwh ELSE e.yago_kwh END - 1), 1) AS change_pct,
       c.capacity_kva
FROM episodes e
JOIN customers c ON c.customer_id = e.customer_id
WHERE e.hit AND NOT e.was_hit
  AND NOT EXISTS (
      SELECT 1 FROM applications a
      WHERE a.customer_id = e.customer_id AND a.app_type = 'increase'
        AND a.energised_at::DATE >= e.m - INTERVAL 13 MONTH
        AND a.energised_at::DATE < e.m + INTERVAL 1 MONTH)
  AND NOT EXISTS (
      SELECT 1 FROM meter_reads r
      WHERE r.customer_id = e.customer_id AND r.billing_month = e.m
        AND r.meter_asset_no IS DISTINCT FROM c.meter_asset_no)
