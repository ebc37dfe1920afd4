-- market_composition.sql from the prebuilt sums. $1: unit, $2: month.
WITH mix AS (
    SELECT customer_class, voltage, industry_code, customers, kwh
    FROM mix_unit_month
    WHERE month = $2::DATE
      AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
)
SELECT CASE WHEN grouping(customer_class) = 0 THEN 'customer_class'
            WHEN grouping(voltage) = 0 THEN 'voltage' ELSE 'industry' END AS field,
       coalesce(customer_class, voltage, industry_code) AS value,
       sum(customers)::BIGINT AS customers, sum(kwh) AS kwh
FROM mix
GROUP BY GROUPING SETS ((customer_class), (voltage), (industry_code))
ORDER BY field, kwh DESC NULLS LAST
