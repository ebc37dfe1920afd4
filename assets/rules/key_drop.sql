-- A key customer (flagged in the archive, or among the top N by kWh of the year before or by
-- capacity) whose kWh over the last three months is down more than the threshold on the same
-- months a year earlier. One suspect per decline (its first month). Zero months and sudden steps (kwh_jump)
-- are left to their own rules.
WITH summed AS (
    SELECT customer_id, billing_month AS m, sum(kwh) AS kwh FROM bills
    WHERE billing_month <= ${to} GROUP BY ALL
),
monthly AS (
    SELECT *, abs(kwh / nullif(lag(kwh) OVER (PARTITION BY customer_id ORDER BY m), 0) - 1) AS step
    FROM summed
),
rolled AS (
    SELECT customer_id, m, kwh,
           sum(kwh) OVER (PARTITION BY customer_id ORDER BY m RANGE BETWEEN INTERVAL 2 MONTH PRECEDING AND CURRENT ROW) AS q,
           count(*) OVER (PARTITION BY customer_id ORDER BY m RANGE BETWEEN INTERVAL 2 MONTH PRECEDING AND CURRENT ROW) AS qn,
           sum(kwh) OVER (PARTITION BY customer_id ORDER BY m RANGE BETWEEN INTERVAL 14 MONTH PRECEDING AND INTERVAL 12 MONTH PRECEDING) AS q_yago,
           count(*) OVER (PARTITION BY customer_id ORDER BY m RANGE BETWEEN INTERVAL 14 MONTH PRECEDING AND INTERVAL 12 MONTH PRECEDING) AS qn_yago,
           sum(kwh) OVER (PARTITION BY customer_id ORDER BY m RANGE BETWEEN INTERVAL 23 MONTH PRECEDING AND INTERVAL 12 MONTH PRECEDING) AS year_before,
           min(kwh) OVER (PARTITION BY customer_id ORDER BY m RANGE BETWEEN INTERVAL 14 MONTH PRECEDING AND CURRENT ROW) AS min_kwh,
           max(step) OVER (PARTITION BY customer_id ORDER BY m ROWS BETWEEN 15 PRECEDING AND CURRENT ROW) AS max_step
    FROM monthly
),
ranked AS (
    SELECT r.*, least(rank() OVER (PARTITION BY r.m ORDER BY r.year_before DESC NULLS LAST),
                      rank() OVER (PARTITION BY r.m ORDER BY c.capacity_kva DESC NULLS LAST)) AS rank_in_month
    FROM rolled r JOIN customers c USING (customer_id)
),
flag AS (
    SELECT k.*, c.unit_id, c.is_key,
           qn = 3 AND qn_yago = 3 AND q_yago > 0 AND min_kwh > 0
             AND q < q_yago * (1 - ${drop_pct} / 100)
             AND coalesce(max_step, 0) <= ${step_pct} / 100
             AND (coalesce(c.is_key, false) OR rank_in_month <= ${top_n}) AS hit
    FROM ranked k JOIN customers c USING (customer_id)
    WHERE c.status = 'normal'
),
episodes AS (
    SELECT *, lag(hit, 1, false) OVER (PARTITION BY customer_id ORDER BY m) AS was_hit FROM flag
)
SELECT 'customer' AS entity_type, customer_id AS entity_id, unit_id, m AS period,
       round((q_yago - q) / 3 * (SELECT sum(amount) / nullif(sum(kwh), 0) FROM bills b
                                  WHERE b.customer_id = episodes.customer_id AND b.billing_month = episodes.m), 2) AS amount,
       0.9 AS confidence,
       round(q / 3) AS kwh_per_month, round(q_yago / 3) AS kwh_per_month_year_ago,
       round(100 * (q / q_yago - 1), 1) AS change_pct, rank_in_month AS rank, is_key
FROM episodes WHERE hit AND NOT was_hit
