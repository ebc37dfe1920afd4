-- Estimated reads in consecutive cycles: the meter has not really been read for months.
-- Amount at stake: what was billed on the estimated reads.
WITH e AS (
    SELECT customer_id, billing_month,
           year(billing_month) * 12 + month(billing_month)
             - row_number() OVER (PARTITION BY customer_id ORDER BY billing_month) AS run
    FROM meter_reads
    WHERE read_type = 'estimated' AND billing_month <= ${to}
),
runs AS (
    SELECT customer_id, min(billing_month) AS first_month, max(billing_month) AS last_month,
           count(*) AS cycles
    FROM e GROUP BY customer_id, run
    HAVING count(*) >= ${min_cycles}
)
SELECT 'customer' AS entity_type, r.customer_id AS entity_id, c.unit_id, r.first_month AS period,
       round(coalesce((SELECT sum(b.amount) FROM bills b WHERE b.customer_id = r.customer_id
                       AND b.billing_month BETWEEN r.first_month AND r.last_month), 0), 2) AS amount,
       least(0.95, 0.5 + 0.15 * r.cycles) AS confidence,
       r.cycles, r.last_month
FROM runs r JOIN customers c ON c.customer_id = r.customer_id
