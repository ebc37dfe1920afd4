-- market_arrears_age.sql from the prebuilt sums. $1: unit, $2: the month.
WITH below AS (
    SELECT unit_id FROM org_units WHERE parent_id = $1
    UNION ALL
    SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM org_units WHERE parent_id = $1)
)
SELECT b.unit_id, a.bucket, sum(a.arrears), sum(a.bills)::BIGINT, sum(a.this_year)
FROM below b
JOIN org_closure oc ON oc.ancestor_id = b.unit_id
JOIN arrears_age_unit_month a ON a.unit_id = oc.unit_id AND a.month = $2::DATE
GROUP BY 1, 2
ORDER BY 1, 2
