-- Runs of consecutive zero-kWh bills of a normal account. Not suspects:
--   * a run that starts with the account's first bill (that belongs to new_customer);
--   * a run during which, or the month before which, the meter was exchanged (a read names
--     another meter than the read of the month before);
--   * a seasonal rest: a month of the run is explained when the same month a year before
--     also had no (or less than 5 % of that year's average) consumption; a run counts only
--     with at least min_months months left unexplained (a month with no bill a year before
--     is not explained: nothing shows it is seasonal).
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
year_before AS (
    SELECT r.customer_id, r.first_month, avg(b.kwh) AS avg_kwh
    FROM runs r JOIN bills b ON b.customer_id = r.customer_id
     AND b.billing_month >= r.first_month - INTERVAL 12 MONTH AND b.billing_month < r.first_month
    GROUP BY ALL
),
explained AS (
    SELECT r.customer_id, r.first_month, count(*) AS months
    FROM runs r
    JOIN year_before y ON y.customer_id = r.customer_id AND y.first_month = r.first_month
    JOIN bills b ON b.customer_id = r.customer_id
     AND b.billing_month BETWEEN r.first_month - INTERVAL 12 MONTH AND r.last_month - INTERVAL 12 MONTH
    WHERE b.kwh <= 0.05 * y.avg_kwh
    GROUP BY ALL
),
exchanged AS (
    SELECT customer_id, billing_month FROM (
        SELECT customer_id, billing_month, meter_asset_no,
               lag(meter_asset_no) OVER (PARTITION BY customer_id ORDER BY billing_month) AS before
        FROM meter_reads WHERE billing_month <= ${to}
    ) WHERE meter_asset_no IS DISTINCT FROM before AND before IS NOT NULL
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
LEFT JOIN explained ex ON ex.customer_id = r.customer_id AND ex.first_month = r.first_month
WHERE c.status = 'normal'
  AND r.months - coalesce(ex.months, 0) >= ${min_months}
  AND r.first_month > (SELECT min(billing_month) FROM bills b WHERE b.customer_id = r.customer_id)
  AND NOT EXISTS (
      SELECT 1 FROM exchanged x
      WHERE x.customer_id = r.customer_id
        AND x.billing_month BETWEEN r.first_month - INTERVAL 1 MONTH AND r.last_month)
