SELECT q.* FROM (
{rule}
) AS q
WHERE (q.period IS NULL OR q.period BETWEEN $1 AND $2)
  AND q.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $3)
