-- The tariff of the account is not one its class and industry may use, by the project's
-- tariff catalogue (table tariffs). Amount at stake: a year's kWh at the difference between
-- the price of the applied tariff and the price of the class's usual one. An account on a
-- single-part tariff at or above two_part_tariff's capacity threshold is that rule's finding.
WITH usual AS (
    SELECT customer_class, min(tariff_code) AS tariff_code FROM tariffs WHERE usual GROUP BY 1
),
price AS (
    SELECT tariff_code, max(price) AS yuan_per_kwh FROM tariffs GROUP BY 1
),
-- Single-part tariffs of classes that also have a two-part one (two_part_tariff's ground).
single_part AS (
    SELECT DISTINCT s.tariff_code FROM tariffs s
    WHERE coalesce(s.basic_price, 0) = 0
      AND EXISTS (SELECT 1 FROM tariffs t WHERE t.customer_class = s.customer_class AND t.basic_price > 0)
),
year_kwh AS (
    SELECT customer_id, sum(kwh) AS kwh FROM bills
    WHERE billing_month > ${to} - INTERVAL 12 MONTH AND billing_month <= ${to}
    GROUP BY 1
)
SELECT 'customer' AS entity_type, c.customer_id AS entity_id, c.unit_id, NULL::DATE AS period,
       round(coalesce(y.kwh, 0) * abs(coalesce(pu.yuan_per_kwh, 0) - coalesce(pa.yuan_per_kwh, 0)), 2) AS amount,
       0.9 AS confidence,
       c.customer_class, c.industry_code, c.tariff_code, u.tariff_code AS usual_tariff, round(y.kwh) AS kwh_year
FROM customers c
LEFT JOIN usual u ON u.customer_class = c.customer_class
LEFT JOIN price pa ON pa.tariff_code = c.tariff_code
LEFT JOIN price pu ON pu.tariff_code = u.tariff_code
LEFT JOIN year_kwh y ON y.customer_id = c.customer_id
WHERE c.status = 'normal'
  AND NOT (c.tariff_code IN (SELECT tariff_code FROM single_part)
           AND c.capacity_kva >= ${two_part_tariff.min_kva})
  AND NOT EXISTS (
      SELECT 1 FROM tariffs a
      WHERE a.customer_class = c.customer_class AND a.tariff_code = c.tariff_code
        AND (coalesce(a.industry_prefix, '') = ''
             OR left(coalesce(c.industry_code, a.industry_prefix), length(a.industry_prefix)) = a.industry_prefix))
