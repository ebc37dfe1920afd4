-- market_collection_curve.sql for two months at once, from the prebuilt sums: rows of
-- (month, receivable, day, paid); a row with no day carries a month's receivable.
-- $1: unit, $2: month, $3: the other month.
WITH units AS (SELECT unit_id FROM org_closure WHERE ancestor_id = $1),
due AS (
    SELECT month, sum(receivable) AS receivable
    FROM due_unit_month SEMI JOIN units USING (unit_id)
    WHERE month IN ($2::DATE, $3::DATE)
    GROUP BY 1
),
paid AS (
    SELECT month, day, sum(paid) AS amount
    FROM collection_unit_day SEMI JOIN units USING (unit_id)
    WHERE month IN ($2::DATE, $3::DATE)
    GROUP BY 1, 2
)
SELECT month, receivable, NULL::INTEGER AS day, NULL::DOUBLE AS amount FROM due
UNION ALL
SELECT month, NULL, day, amount FROM paid
ORDER BY 1, 3 NULLS FIRST
