-- Runs of consecutive zero-kWh bills of a normal account. A run that starts with the
-- account's first bill belongs to new_customer; a meter exchange during the run explains it.
WITH zero AS (
    SELECT customer_id, billing_month,
           year(billing_month) * 12 + month(billing_month)
             - row_number() OVER (PARTITION BY customer_id ORDER BY billing_month) AS run
    FROM bills
    WHERE kwh = 0 AND billing_month <= ${to}
),
runs AS (
    SELECT customer_id, min(billing_month) AS first_month, max(billing_month) AS last_month,
           count(*) AS months
    FROM zero GROUP BY customer_id, run
    HAVING count(*) >= ${min_months}
),
before AS (
    SELECT r.customer_id, r.first_month, avg(b.kwh) AS kwh_before, avg(b.amount) AS amount_before
    FROM runs r JOIN bills b ON b.customer_id = r.customer_id
     AND b.billing_month >= r.first_month - INTERVAL 3 MONTH AND b.billing_month < r.first_month
    GROUP BY ALL
)
SELECT 'customer' AS entity_type, c.customer_id AS entity_id, c.unit_id, r.first_month AS period,
       round(coalesce(bf.amount_before, 0) * r.months, 2) AS amount,
       CASE WHEN coalesce(bf.kwh_before, 0) > 0 THEN 0.9 ELSE 0.6 END AS confidence,
       r.months, r.last_month, round(bf.kwh_before) AS kwh_before, c.capacity_kva, c.status
FROM runs r
JOIN customers c ON c.customer_id = r.customer_id
LEFT JOIN before bf ON bf.customer_id = r.customer_id AND bf.first_month = r.first_month
WHERE c.status = 'normal'
  AND r.first_month > (SELECT min(billing_month) FROM bills b WHERE b.customer_id = r.customer_id)
  AND NOT EXISTS (
      SELECT 1 FROM meter_reads m
      WHERE m.customer_id = r.customer_id
        AND m.billing_month BETWEEN r.first_month - INTERVAL 1 MONTH AND r.last_month
        AND m.meter_asset_no IS DISTINCT FROM c.meter_asset_no)
