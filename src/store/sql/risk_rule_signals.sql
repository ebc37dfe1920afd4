-- What the audit found for each risk point, org unit (every unit above the suspect's too)
-- and month from $1 to $2: suspects of its rules with false positives left out, the
-- confirmed ones, the yuan at stake and the distinct entities. A standing suspect (an
-- archive state, no month) counts in every month: it describes the archive as it is.
WITH months AS (
    SELECT CAST(m AS DATE) AS period
    FROM range($1::DATE, $2::DATE + INTERVAL 1 MONTH, INTERVAL 1 MONTH) AS t(m)
),
s AS (
    SELECT l.risk_id, a.unit_id, a.period, a.entity_type || '|' || a.entity_id AS entity, a.amount,
           a.status IN ('confirmed', 'rectifying', 'rectified', 'closed') AS confirmed
    FROM audit_suspects a
    JOIN risk_links l ON l.kind = 'rule' AND l.ref = a.rule_id
    WHERE a.status <> 'false_positive' AND a.unit_id IS NOT NULL
),
dated AS (
    SELECT s.risk_id, s.unit_id, m.period, s.entity, s.amount, s.confirmed
    FROM s JOIN months m ON s.period = m.period
    UNION ALL
    SELECT s.risk_id, s.unit_id, m.period, s.entity, s.amount, s.confirmed
    FROM s CROSS JOIN months m
    WHERE s.period IS NULL
)
SELECT d.risk_id, c.ancestor_id, d.period,
       count(*)::BIGINT,
       (count(*) FILTER (WHERE d.confirmed))::BIGINT,
       sum(d.amount)::DOUBLE,
       count(DISTINCT d.entity)::BIGINT
FROM dated d
JOIN org_closure c ON c.unit_id = d.unit_id
GROUP BY ALL
