-- The tariff of the account is not one its class and industry may use. The allowed
-- combinations follow the provincial tariff schedule; amount at stake is a year's kWh at the
-- price difference between the applied tariff and the class's usual one. A single-part
-- commercial or industrial tariff at 315 kVA or more is two_part_tariff's finding.
WITH allowed(customer_class, industry_prefix, tariff_code) AS (
    VALUES ('residential', 'T', 'R-TIER'),
           ('commercial', NULL, 'C-SINGLE'), ('commercial', NULL, 'C-TWO'),
           ('industrial_ordinary', NULL, 'I-SINGLE'), ('industrial_ordinary', NULL, 'C-TWO'),
           ('industrial_large', NULL, 'I-LARGE'),
           ('agricultural', 'A', 'A-PROD'), ('agricultural', 'A', 'A-IRR')
),
usual(customer_class, tariff_code) AS (
    VALUES ('residential', 'R-TIER'), ('commercial', 'C-SINGLE'), ('industrial_ordinary', 'I-SINGLE'),
           ('industrial_large', 'I-LARGE'), ('agricultural', 'A-PROD')
),
price(tariff_code, yuan_per_kwh) AS (
    VALUES ('R-TIER', 0.5653), ('C-SINGLE', 0.6664), ('C-TWO', 0.6164), ('I-LARGE', 0.6012),
           ('I-SINGLE', 0.6664), ('A-PROD', 0.5059), ('A-IRR', 0.4250)
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
  AND NOT (c.tariff_code IN ('C-SINGLE', 'I-SINGLE') AND c.capacity_kva >= 315)
  AND NOT EXISTS (
      SELECT 1 FROM allowed a
      WHERE a.customer_class = c.customer_class AND a.tariff_code = c.tariff_code
        AND (a.industry_prefix IS NULL OR starts_with(coalesce(c.industry_code, a.industry_prefix), a.industry_prefix)))
