-- A key customer (flagged in the archive, or among the top N by kWh over the audited months
-- and the year before them, or by capacity) whose kWh over the last three months is down
-- more than the threshold on the same months a year earlier. One suspect per decline (its
-- first month). Zero months and sudden steps (kwh_jump) are left to their own rules.
WITH normal AS (
    SELECT customer_id, unit_id, is_key, capacity_kva FROM customers WHERE status = 'normal'
),
volume AS (
    SELECT b.customer_id, sum(b.kwh) AS kwh FROM bills b
    WHERE b.billing_month > ${from} - INTERVAL 24 MONTH AND b.billing_month <= ${to}
    GROUP BY 1
),
key_customers AS (
    SELECT n.customer_id, n.unit_id, n.is_key,
           least(rank() OVER (ORDER BY v.kwh DESC NULLS LAST),
                 rank() OVER (ORDER BY n.capacity_kva DESC NULLS LAST)) AS key_rank
    FROM normal n LEFT JOIN volume v USING (customer_id)
    QUALIFY coalesce(n.is_key, false) OR key_rank <= ${top_n}
),
summed AS (
    SELECT b.customer_id, b.billing_month AS m, sum(b.kwh) AS kwh
    FROM bills b SEMI JOIN key_customers k ON k.customer_id = b.customer_id
    WHERE b.billing_month <= ${to}
    GROUP BY ALL
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
           min(kwh) OVER (PARTITION BY customer_id ORDER BY m RANGE BETWEEN INTERVAL 14 MONTH PRECEDING AND CURRENT ROW) AS min_kwh,
           max(step) OVER (PARTITION BY customer_id ORDER BY m ROWS BETWEEN 15 PRECEDING AND CURRENT ROW) AS max_step
    FROM monthly
),
flag AS (
    SELECT r.*, k.unit_id, k.is_key, k.key_rank,
           qn = 3 AND qn_yago = 3 AND q_yago > 0 AND min_kwh > 0
             AND q < q_yago * (1 - ${drop_pct} / 100)
             AND coalesce(max_step, 0) <= ${step_pct} / 100 AS hit
    FROM rolled r JOIN key_customers k USING (customer_id)
),
episodes AS (
    SELECT *, lag(hit, 1, false) OVER (PARTITION BY customer_id ORDER BY m) AS was_hit FROM flag
)
SELECT 'customer' AS entity_type, e.customer_id AS entity_id, e.unit_id, e.m AS period,
       round((e.q_yago - e.q) / 3 * b.price, 2) AS amount,
       0.9 AS confidence,
       round(e.q / 3) AS kwh_per_month, round(e.q_yago / 3) AS kwh_per_month_year_ago,
       round(100 * (e.q / e.q_yago - 1), 1) AS change_pct, e.key_rank AS rank, e.is_key
FROM episodes e
LEFT JOIN (SELECT customer_id, billing_month, sum(amount) / nullif(sum(kwh), 0) AS price
           FROM bills SEMI JOIN key_customers USING (customer_id) GROUP BY ALL) b
       ON b.customer_id = e.customer_id AND b.billing_month = e.m
WHERE e.hit AND NOT e.was_hit
