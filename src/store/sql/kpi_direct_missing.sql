-- What the session's store (kpi_direct_store.sql) lacks for the org units in $1 (ids
-- separated by the character 0x1F), each with every unit below it, and the months $2 to $3:
-- the units lacking a month, their ids joined by 0x1F, and the first and last month
-- lacking (NULLs when nothing is); then whether the store lacks the coverage of a month.
WITH wanted AS (
    SELECT DISTINCT unnest(string_split($1, chr(31))) AS owner
),
months AS (
    SELECT m::DATE AS m FROM range($2::DATE, $3::DATE + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
),
needed AS (
    SELECT DISTINCT oc.unit_id, months.m
    FROM org_closure oc CROSS JOIN months
    WHERE oc.ancestor_id IN (SELECT owner FROM wanted)
),
missing AS (
    SELECT * FROM needed
    WHERE NOT EXISTS (SELECT 1 FROM kpi_direct_done d WHERE d.unit_id = needed.unit_id AND d.month = needed.m)
)
SELECT string_agg(DISTINCT unit_id, chr(31)), min(m), max(m),
       EXISTS (SELECT 1 FROM months WHERE m NOT IN (SELECT month FROM kpi_direct_coverage))
FROM missing
