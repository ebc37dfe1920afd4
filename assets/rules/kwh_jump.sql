-- Month-on-month or year-on-year change of billed kWh beyond the threshold, above a floor.
-- One suspect per episode (its first month). Months with zero kWh are left to zero_kwh.
-- Ordinary account events are not jumps:
--   * a part month: the month the account was opened (the first full month after it is
--     compared with nothing), the month its status changed (suspension, closing, resumption)
--     and the month its meter was exchanged (a read names another meter than the read before);
--   * a capacity increase energised in the comparison window;
--   * a seasonal swing: a month-on-month change counts only where it differs by more than
--     the threshold from the change expected for that month: the customer's own change in
--     the same month a year before where known, otherwise the median change of its class;
--   * a year-on-year change counts only where the year-on-year ratio itself steps (a gradual
--     decline is left to key_drop).
WITH monthly AS (
    SELECT customer_id, billing_month AS m, sum(kwh) AS kwh, sum(amount) AS amount
    FROM bills WHERE billing_month BETWEEN ${from} - INTERVAL 14 MONTH AND ${to}
    GROUP BY ALL
),
-- A meter exchange: a read names another meter than the read before (looked for only among
-- the customers whose reads name more than one meter).
several_meters AS (
    SELECT customer_id FROM meter_reads
    WHERE billing_month BETWEEN ${from} - INTERVAL 15 MONTH AND ${to}
    GROUP BY 1 HAVING min(meter_asset_no) <> max(meter_asset_no)
),
exchanged AS (
    SELECT DISTINCT customer_id, billing_month AS m FROM (
        SELECT r.customer_id, r.billing_month, r.meter_asset_no,
               lag(r.meter_asset_no) OVER (PARTITION BY r.customer_id ORDER BY r.billing_month) AS before
        FROM meter_reads r SEMI JOIN several_meters s ON s.customer_id = r.customer_id
        WHERE r.billing_month BETWEEN ${from} - INTERVAL 15 MONTH AND ${to}
    ) WHERE meter_asset_no IS DISTINCT FROM before AND before IS NOT NULL
),
part AS (
    SELECT customer_id, date_trunc('month', opened_on)::DATE AS m FROM customers WHERE opened_on IS NOT NULL
    UNION
    SELECT customer_id, date_trunc('month', status_date)::DATE FROM customers WHERE status_date IS NOT NULL
    UNION
    SELECT customer_id, m FROM exchanged
),
marked AS (
    SELECT mo.*, c.customer_class, p.m IS NOT NULL AS odd
    FROM monthly mo
    JOIN customers c ON c.customer_id = mo.customer_id
    LEFT JOIN part p ON p.customer_id = mo.customer_id AND p.m = mo.m
),
s AS (
    SELECT *,
           lag(kwh) OVER w AS prev_kwh,
           lag(m) OVER w AS prev_m,
           lag(odd) OVER w AS prev_odd,
           CASE WHEN lag(m, 12) OVER w = m - INTERVAL 12 MONTH AND NOT lag(odd, 12) OVER w
                THEN lag(kwh, 12) OVER w END AS yago_kwh,
           CASE WHEN lag(m, 13) OVER w = m - INTERVAL 13 MONTH AND NOT lag(odd, 13) OVER w
                THEN lag(kwh, 13) OVER w END AS yago_prev_kwh
    FROM marked
    WINDOW w AS (PARTITION BY customer_id ORDER BY m)
),
clean AS (
    SELECT *,
           CASE WHEN NOT odd AND NOT prev_odd AND prev_m = m - INTERVAL 1 MONTH AND kwh > 0 AND prev_kwh > 0
                THEN kwh / prev_kwh END AS mom_ratio,
           CASE WHEN yago_kwh > 0 AND yago_prev_kwh > 0 THEN yago_kwh / yago_prev_kwh END AS own_last_year,
           CASE WHEN NOT odd AND kwh > 0 AND yago_kwh > 0 THEN kwh / yago_kwh END AS yoy_ratio
    FROM s
),
-- The class's median month-on-month change, from a histogram of the log ratios in steps of
-- 0.01 (exact to about 0.5 %, deterministic, and fast: an exact median over millions of
-- mostly equal ratios degenerates in DuckDB 1.2).
class_histogram AS (
    SELECT customer_class, m, round(ln(mom_ratio), 2) AS log_ratio, count(*) AS n
    FROM clean WHERE mom_ratio > 0 GROUP BY ALL
),
class_change AS (
    SELECT customer_class, m, exp(min(log_ratio) FILTER (WHERE below >= total / 2.0)) AS class_ratio
    FROM (SELECT *, sum(n) OVER (PARTITION BY customer_class, m ORDER BY log_ratio) AS below,
                 sum(n) OVER (PARTITION BY customer_class, m) AS total
          FROM class_histogram)
    GROUP BY ALL
),
stepped AS (
    SELECT cl.*, coalesce(cl.own_last_year, cc.class_ratio, 1) AS expected_ratio,
           lag(cl.yoy_ratio) OVER (PARTITION BY cl.customer_id ORDER BY cl.m) AS prev_yoy_ratio
    FROM clean cl
    LEFT JOIN class_change cc ON cc.customer_class = cl.customer_class AND cc.m = cl.m
),
flagged AS (
    SELECT *,
           coalesce(greatest(kwh, prev_kwh) >= ${floor_kwh}
             AND abs(mom_ratio - 1) > ${threshold_pct} / 100
             AND abs(mom_ratio / expected_ratio - 1) > ${threshold_pct} / 100, false) AS mom,
           coalesce(greatest(kwh, yago_kwh) >= ${floor_kwh}
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
WHERE e.hit AND NOT e.was_hit AND e.m BETWEEN ${from} AND ${to}
  AND NOT EXISTS (
      SELECT 1 FROM applications a
      WHERE a.customer_id = e.customer_id AND a.app_type = 'increase'
        AND a.energised_at::DATE >= e.m - INTERVAL 13 MONTH
        AND a.energised_at::DATE < e.m + INTERVAL 1 MONTH)
