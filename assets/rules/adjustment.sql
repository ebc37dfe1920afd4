-- Bill adjustments or refunds with no work order or approval number. Adjustments of an
-- operator that issues an outsized share of its station's adjustments are in evidence.
WITH adj AS (
    SELECT b.*, c.unit_id FROM bills b JOIN customers c USING (customer_id)
    WHERE coalesce(b.adjustment, 0) <> 0 AND b.billing_month <= ${to}
),
operators AS (
    SELECT unit_id, operator_id, count(*) AS n,
           count(*) / sum(count(*)) OVER (PARTITION BY unit_id) AS share
    FROM adj GROUP BY 1, 2
)
SELECT 'customer' AS entity_type, a.customer_id AS entity_id, a.unit_id, a.billing_month AS period,
       round(abs(a.adjustment), 2) AS amount,
       0.9 AS confidence,
       a.bill_id, round(a.adjustment, 2) AS adjustment, a.operator_id,
       round(100 * o.share) AS operator_share_pct, o.n AS operator_adjustments
FROM adj a LEFT JOIN operators o ON o.unit_id = a.unit_id AND o.operator_id IS NOT DISTINCT FROM a.operator_id
WHERE coalesce(trim(a.adjustment_order), '') = ''
   OR abs(a.adjustment) >= ${large_amount} AND o.n >= ${min_count} AND o.share > ${operator_share_pct} / 100
