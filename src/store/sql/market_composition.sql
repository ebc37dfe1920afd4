-- The month's customers and sales in an org unit's subtree by class, by voltage and by
-- industry, in one pass: field, value, customers billed, kWh. $1: unit, $2: month.
WITH billed AS (
    SELECT c.customer_class, c.voltage, c.industry_code, b.customer_id, b.kwh
    FROM bills b JOIN customers c USING (customer_id)
    WHERE b.billing_month = $2::DATE
      AND c.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
)
SELECT CASE WHEN grouping(customer_class) = 0 THEN 'customer_class'
            WHEN grouping(voltage) = 0 THEN 'voltage' ELSE 'industry' END AS field,
       coalesce(customer_class, voltage, industry_code) AS value,
       count(DISTINCT customer_id) AS customers, sum(kwh) AS kwh
FROM billed
GROUP BY GROUPING SETS ((customer_class), (voltage), (industry_code))
ORDER BY field, kwh DESC NULLS LAST
