-- kWh / (kVA x hours in the month): above 1 the archive capacity cannot be right; near 0 on
-- a large capacity, the installation is idle or the capacity is wrong. "Above" must hold in
-- most audited months, or the average stay near the capacity (which no real load sustains),
-- with no month-to-month step above max_step_pct (that is kwh_jump's; natural swings and
-- seasonal stops also trip it, see docs/rules.md). Residential capacity is
-- nominal (heavy residential use is residential_commercial's), and kWh inflated by a wrong
-- multiplier is the multiplier rule's.
WITH u AS (
    SELECT b.customer_id, b.billing_month,
           b.kwh / (c.capacity_kva * 24 * day(last_day(b.billing_month))) AS ratio,
           abs(b.kwh / nullif(lag(b.kwh) OVER (PARTITION BY b.customer_id ORDER BY b.billing_month), 0) - 1) AS step
    FROM bills b JOIN customers c USING (customer_id)
    WHERE c.capacity_kva > 0 AND c.status = 'normal' AND c.customer_class <> 'residential'
      AND b.billing_month BETWEEN ${from} AND ${to}
      AND (c.multiplier IS NULL OR abs(c.multiplier - CASE WHEN c.wiring = 'direct' THEN 1.0
                ELSE coalesce(c.ct_ratio, 1) * coalesce(c.pt_ratio, 1) END) <= 0.001 * c.multiplier)
),
per AS (
    SELECT customer_id, max(ratio) AS max_ratio, avg(ratio) AS avg_ratio, count(*) AS months,
           max_by(billing_month, ratio) AS worst_month,
           avg(CASE WHEN ratio > ${max_ratio} THEN 1.0 ELSE 0.0 END) AS share_above,
           coalesce(max(step), 0) AS max_step
    FROM u GROUP BY 1
)
SELECT 'customer' AS entity_type, c.customer_id AS entity_id, c.unit_id, NULL::DATE AS period,
       0.0 AS amount,
       CASE WHEN p.share_above >= ${min_share_pct} / 100 THEN 0.95 WHEN p.avg_ratio > ${high_avg_ratio} THEN 0.8 ELSE 0.6 END AS confidence,
       c.capacity_kva, round(p.max_ratio, 3) AS max_ratio, round(p.avg_ratio, 4) AS avg_ratio,
       p.worst_month, CASE WHEN p.share_above >= ${min_share_pct} / 100 THEN 'above capacity' WHEN p.avg_ratio > ${high_avg_ratio} THEN 'near capacity all the time' ELSE 'idle' END AS finding,
       round(100 * p.share_above) AS months_above_pct
FROM per p JOIN customers c USING (customer_id)
WHERE ((p.share_above >= ${min_share_pct} / 100 OR p.avg_ratio > ${high_avg_ratio}) AND p.max_step <= ${max_step_pct} / 100)
   OR (c.capacity_kva >= ${idle_min_kva} AND p.months >= 6 AND p.avg_ratio < ${idle_ratio})
