-- A residential account whose average monthly consumption over the audited months is far above
-- what a household uses: likely commercial use at the residential tariff. Amount at stake:
-- the energy at the difference between the commercial class's usual price and the account's
-- own, both from the tariff catalogue (table tariffs). kWh inflated by a wrong multiplier is
-- the multiplier rule's.
WITH price AS (
    SELECT tariff_code, max(price) AS yuan_per_kwh FROM tariffs GROUP BY 1
),
commercial AS (
    SELECT max(price) AS yuan_per_kwh FROM tariffs WHERE customer_class = 'commercial' AND usual
),
avg_kwh AS (
    SELECT customer_id, avg(kwh) AS kwh, count(*) AS months, sum(kwh) AS total
    FROM bills WHERE billing_month BETWEEN ${from} AND ${to}
    GROUP BY 1
)
SELECT 'customer' AS entity_type, c.customer_id AS entity_id, c.unit_id, NULL::DATE AS period,
       round(a.total * greatest(coalesce(cm.yuan_per_kwh, 0) - coalesce(p.yuan_per_kwh, 0), 0), 2) AS amount,
       least(0.95, 0.5 + (a.kwh / ${ceiling_kwh} - 1) / 2) AS confidence,
       round(a.kwh) AS kwh_per_month, a.months, c.tariff_code, c.address
FROM avg_kwh a JOIN customers c USING (customer_id)
CROSS JOIN commercial cm
LEFT JOIN price p ON p.tariff_code = c.tariff_code
WHERE c.customer_class = 'residential' AND c.status = 'normal'
  AND a.months >= ${min_months} AND a.kwh > ${ceiling_kwh}
  AND (c.multiplier IS NULL OR abs(c.multiplier - CASE WHEN c.wiring = 'direct' THEN 1.0
                ELSE coalesce(c.ct_ratio, 1) * coalesce(c.pt_ratio, 1) END) <= 0.001 * c.multiplier)
