-- Accounts at or above the capacity threshold are assessed on power factor, with the standard
-- of their class: 0.90 industry, 0.85 commerce, 0.80 agriculture. Amount at stake: the
-- adjustment a missing or lax standard lets go, taken as 1 % of a year's energy charge.
WITH required(customer_class, standard) AS (
    VALUES ('industrial_large', '0.90'), ('industrial_ordinary', '0.90'),
           ('commercial', '0.85'), ('agricultural', '0.80')
),
year_charge AS (
    SELECT customer_id, sum(energy_charge) AS energy_charge FROM bills
    WHERE billing_month > ${to} - INTERVAL 12 MONTH AND billing_month <= ${to}
    GROUP BY 1
)
SELECT 'customer' AS entity_type, c.customer_id AS entity_id, c.unit_id, NULL::DATE AS period,
       round(coalesce(y.energy_charge, 0) * 0.01, 2) AS amount,
       CASE WHEN coalesce(c.pf_standard, 'none') = 'none' THEN 0.9 ELSE 0.8 END AS confidence,
       c.capacity_kva, coalesce(c.pf_standard, 'none') AS pf_standard, r.standard AS required
FROM customers c
JOIN required r ON r.customer_class = c.customer_class
LEFT JOIN year_charge y ON y.customer_id = c.customer_id
WHERE c.status = 'normal'
  AND c.capacity_kva >= ${min_kva}
  AND coalesce(c.pf_standard, 'none') <> r.standard
