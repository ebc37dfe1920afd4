-- How many of the months $1 to $2 (first days) an audit run covered for each org unit: a
-- run over a unit covers every unit below it.
SELECT oc.unit_id, count(DISTINCT m.m)
FROM range($1::DATE, $2::DATE + INTERVAL 1 MONTH, INTERVAL 1 MONTH) m(m)
JOIN audit_runs r ON m.m::DATE BETWEEN r.period_from AND r.period_to
JOIN org_closure oc ON oc.ancestor_id = r.unit_id
GROUP BY 1
