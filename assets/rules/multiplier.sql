-- The billing multiplier must equal CT ratio x PT ratio; a direct meter has multiplier 1.
-- Amount at stake: a year's billed amount times the relative error of the multiplier.
WITH year_amount AS (
    SELECT customer_id, sum(amount) AS amount FROM bills
    WHERE billing_month > ${to} - INTERVAL 12 MONTH AND billing_month <= ${to}
    GROUP BY 1
),
m AS (
    SELECT c.*,
           CASE WHEN c.wiring = 'direct' THEN 1.0
                ELSE coalesce(c.ct_ratio, 1) * coalesce(c.pt_ratio, 1) END AS expected
    FROM customers c
    WHERE c.multiplier IS NOT NULL AND c.status = 'normal'
)
SELECT 'customer' AS entity_type, m.customer_id AS entity_id, m.unit_id, NULL::DATE AS period,
       round(coalesce(y.amount, 0) * abs(1 - m.expected / m.multiplier), 2) AS amount,
       0.95 AS confidence,
       m.multiplier, m.ct_ratio, m.pt_ratio, m.expected, m.wiring
FROM m LEFT JOIN year_amount y ON y.customer_id = m.customer_id
WHERE abs(m.multiplier - m.expected) > 0.001 * m.expected
