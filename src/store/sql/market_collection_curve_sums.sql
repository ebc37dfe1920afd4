-- market_collection_curve.sql from the prebuilt sums. $1: unit, $2: month.
WITH units AS (SELECT unit_id FROM org_closure WHERE ancestor_id = $1),
due AS (
    SELECT coalesce(sum(receivable), 0) AS receivable
    FROM due_unit_month SEMI JOIN units USING (unit_id)
    WHERE month = $2::DATE
),
paid AS (
    SELECT day, sum(paid) AS amount
    FROM collection_unit_day SEMI JOIN units USING (unit_id)
    WHERE month = $2::DATE
    GROUP BY 1
)
SELECT (SELECT receivable FROM due), day, amount FROM paid
UNION ALL
SELECT (SELECT receivable FROM due), NULL, NULL
ORDER BY day NULLS FIRST
