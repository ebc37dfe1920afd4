-- The compliance of every org unit (with the units below it) for the months $1 to $2 (first
-- days), $3 being today: confirmed audit problems of the period by severity, and the
-- rectifications due in the period with those rectified by their due date.
-- A suspect without a month (a standing state such as an archive error) counts in the month
-- it was confirmed. A rectification counts once its due date has passed or it is done; it
-- is on time when it stands rectified (or closed) and was first marked rectified by then.
WITH confirmed_on AS (
    SELECT suspect_key, min(changed_at)::DATE AS on_day
    FROM audit_trail WHERE to_status = 'confirmed' GROUP BY 1
),
rectified_on AS (
    SELECT suspect_key, min(changed_at)::DATE AS on_day
    FROM audit_trail WHERE to_status = 'rectified' GROUP BY 1
),
s AS (
    SELECT s.unit_id, s.severity, s.due_on,
           s.status IN ('confirmed', 'rectifying', 'rectified', 'closed') AS confirmed,
           s.status IN ('rectified', 'closed') AS done,
           coalesce(s.period, date_trunc('month', c.on_day)::DATE) AS month,
           r.on_day AS rectified
    FROM audit_suspects s
    LEFT JOIN confirmed_on c USING (suspect_key)
    LEFT JOIN rectified_on r USING (suspect_key)
    WHERE s.unit_id IS NOT NULL
),
due AS (
    SELECT * FROM s
    WHERE due_on BETWEEN $1::DATE AND last_day($2::DATE) AND (due_on < $3::DATE OR done)
)
SELECT u.unit_id,
       coalesce(c.severity_1, 0), coalesce(c.severity_2, 0), coalesce(c.severity_3, 0),
       coalesce(d.due, 0), coalesce(d.on_time, 0)
FROM org_units u
LEFT JOIN (
    SELECT oc.ancestor_id AS unit_id,
           count(*) FILTER (WHERE s.severity <= 1) AS severity_1,
           count(*) FILTER (WHERE s.severity = 2) AS severity_2,
           count(*) FILTER (WHERE s.severity >= 3) AS severity_3
    FROM s JOIN org_closure oc ON oc.unit_id = s.unit_id
    WHERE s.confirmed AND s.month BETWEEN $1::DATE AND $2::DATE
    GROUP BY 1
) c USING (unit_id)
LEFT JOIN (
    SELECT oc.ancestor_id AS unit_id, count(*) AS due,
           count(*) FILTER (WHERE due.done AND due.rectified <= due.due_on) AS on_time
    FROM due JOIN org_closure oc ON oc.unit_id = due.unit_id
    GROUP BY 1
) d USING (unit_id)
