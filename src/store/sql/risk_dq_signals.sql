-- What the last data quality run found for each risk point, org unit (and the units above)
-- and month from $1 to $2: rows tested and failing of its checks. Results of a standing
-- archive (no month) count in every month.
WITH months AS (
    SELECT CAST(m AS DATE) AS period
    FROM range($1::DATE, $2::DATE + INTERVAL 1 MONTH, INTERVAL 1 MONTH) AS t(m)
),
r AS (
    SELECT l.risk_id, x.unit_id, x.month, x.tested, x.failing
    FROM dq_results x
    JOIN risk_links l ON l.kind = 'dq' AND l.ref = x.check_id
    WHERE x.run_id = (SELECT max(run_id) FROM dq_runs) AND x.unit_id IS NOT NULL
),
dated AS (
    SELECT r.risk_id, r.unit_id, m.period, r.tested, r.failing FROM r JOIN months m ON r.month = m.period
    UNION ALL
    SELECT r.risk_id, r.unit_id, m.period, r.tested, r.failing FROM r CROSS JOIN months m WHERE r.month IS NULL
)
SELECT d.risk_id, c.ancestor_id, d.period, sum(d.tested)::BIGINT, sum(d.failing)::BIGINT
FROM dated d
JOIN org_closure c ON c.unit_id = d.unit_id
GROUP BY ALL
