-- The month's customers and sales in an org unit's subtree by one archive field (class,
-- voltage or industry): value, customers billed, kWh. $1: unit, $2: month, $3: field.
SELECT CASE $3 WHEN 'customer_class' THEN c.customer_class
               WHEN 'voltage' THEN c.voltage
               ELSE c.industry_code END AS value,
       count(DISTINCT b.customer_id) AS customers, sum(b.kwh) AS kwh
FROM bills b JOIN customers c USING (customer_id)
WHERE b.billing_month = $2::DATE
  AND c.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
GROUP BY 1
ORDER BY kwh DESC NULLS LAST
