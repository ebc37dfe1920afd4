-- A project's own indicator: its query's rows of the months $1 to $2 (first days), summed
-- for every org unit over the units below it. The query returns unit_id, month, numerator
-- and denominator.
WITH q AS (
{query}
)
SELECT oc.ancestor_id, sum(q.numerator)::DOUBLE, sum(q.denominator)::DOUBLE
FROM q
JOIN org_closure oc ON oc.unit_id = q.unit_id
WHERE q.month BETWEEN $1::DATE AND $2::DATE
GROUP BY 1
