-- A transformer area or feeder whose loss rate is below zero or above the ceiling, or steps
-- away from the month before (when that month was itself normal).
WITH r AS (
    SELECT l.*, (supplied_kwh - sold_kwh) / nullif(supplied_kwh, 0) AS rate
    FROM line_loss l WHERE month <= ${to}
),
s AS (
    SELECT r.*, lag(rate) OVER (PARTITION BY area_id ORDER BY month) AS prev_rate,
           lag(month) OVER (PARTITION BY area_id ORDER BY month) AS prev_month
    FROM r
)
SELECT 'area' AS entity_type, area_id AS entity_id, unit_id, month AS period,
       round(abs(supplied_kwh - sold_kwh - supplied_kwh * ${normal_rate_pct} / 100) * ${price}, 2) AS amount,
       CASE WHEN rate < 0 OR rate > ${max_rate_pct} / 100 THEN 0.9 ELSE 0.7 END AS confidence,
       area_name, round(100 * rate, 2) AS loss_pct, round(100 * prev_rate, 2) AS previous_pct,
       round(supplied_kwh) AS supplied_kwh, round(sold_kwh) AS sold_kwh,
       CASE WHEN rate < 0 THEN 'negative loss' WHEN rate > ${max_rate_pct} / 100 THEN 'loss above ceiling'
            ELSE 'step change' END AS finding
FROM s
WHERE rate < 0 OR rate > ${max_rate_pct} / 100
   OR (prev_month = month - INTERVAL 1 MONTH AND prev_rate BETWEEN 0 AND ${max_rate_pct} / 100
       AND abs(rate - prev_rate) > ${step_pp} / 100)
