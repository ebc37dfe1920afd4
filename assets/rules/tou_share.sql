-- The valley share of an account's energy, over the audited months, far from its peers of the
-- same class: more than k robust deviations (median absolute deviation) from the class median.
WITH shares AS (
    SELECT b.customer_id, c.unit_id, c.customer_class,
           sum(b.kwh_valley) / nullif(sum(b.kwh), 0) AS valley_share, sum(b.kwh) AS kwh
    FROM bills b JOIN customers c USING (customer_id)
    WHERE b.billing_month BETWEEN ${from} AND ${to} AND b.kwh_valley IS NOT NULL
    GROUP BY ALL HAVING sum(b.kwh) >= ${min_kwh}
),
peers AS (
    SELECT customer_class, median(valley_share) AS med,
           median(abs(valley_share - (SELECT median(valley_share) FROM shares s2 WHERE s2.customer_class = s.customer_class))) AS mad
    FROM shares s GROUP BY 1
)
SELECT 'customer' AS entity_type, s.customer_id AS entity_id, s.unit_id, NULL::DATE AS period,
       0.0 AS amount,
       least(0.95, 0.5 + abs(s.valley_share - p.med) / nullif(p.mad, 0) / 40) AS confidence,
       s.customer_class, round(100 * s.valley_share, 1) AS valley_pct, round(100 * p.med, 1) AS class_median_pct,
       round(abs(s.valley_share - p.med) / nullif(p.mad, 0), 1) AS deviations
FROM shares s JOIN peers p USING (customer_class)
WHERE p.mad > 0 AND abs(s.valley_share - p.med) > ${k} * p.mad
