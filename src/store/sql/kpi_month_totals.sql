-- The sums behind the indicators of several org units (each with every unit below it), from
-- the prebuilt kpi_unit_month (kpi_rebuild.sql), in one query: $1 holds the units' ids
-- separated by the character 0x1F; one row per unit and month from $2 to $3, the unit's id
-- first, then the columns of kpi_month_totals_direct.sql, which adds up the same sums
-- computed from the data tables (kpi_unit_month_direct.sql).
WITH wanted AS (
    SELECT DISTINCT unnest(string_split($1, chr(31))) AS owner
),
scope AS (
    SELECT oc.ancestor_id AS owner, oc.unit_id
    FROM org_closure oc WHERE oc.ancestor_id IN (SELECT owner FROM wanted)
),
months AS (
    SELECT m::DATE AS m, (m + INTERVAL 1 MONTH)::DATE AS next_m
    FROM range($2::DATE, $3::DATE + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
),
-- What the data covers anywhere in the project (see the direct query).
coverage AS (
    SELECT month AS m, sum(n_bills) > 0 AS has_bills, sum(n_loss) > 0 AS has_loss,
           sum(connections) > 0 AS has_connections, sum(n_tickets) > 0 AS has_tickets,
           sum(n_outages) > 0 AS has_outages
    FROM kpi_unit_month WHERE month BETWEEN $2::DATE AND $3::DATE GROUP BY 1
),
unit AS (
    SELECT scope.owner, month AS m, sum(customers) AS customers, sum(kwh) AS kwh, sum(receivable) AS receivable,
           sum(collected) AS collected, sum(arrears) AS arrears, sum(supplied) AS supplied, sum(sold) AS sold,
           sum(connections) AS connections, sum(connection_days) AS connection_days,
           sum(connections_over_limit) AS connections_over_limit, sum(complaints) AS complaints,
           sum(repairs_arrived) AS repairs_arrived, sum(repair_arrival_minutes) AS repair_arrival_minutes,
           sum(satisfied) AS satisfied, sum(callbacks) AS callbacks, sum(tickets_due) AS tickets_due,
           sum(tickets_on_time) AS tickets_on_time, sum(interruptions) AS interruptions,
           sum(customer_minutes) AS customer_minutes, sum(customer_minutes_rs3) AS customer_minutes_rs3
    FROM kpi_unit_month JOIN scope USING (unit_id)
    WHERE month BETWEEN $2::DATE AND $3::DATE
    GROUP BY 1, 2
)
SELECT wanted.owner, months.m,
       datediff('hour', months.m, months.next_m) AS hours,
       coalesce(coverage.has_bills, false), coalesce(coverage.has_loss, false),
       coalesce(coverage.has_connections, false), coalesce(coverage.has_tickets, false),
       coalesce(coverage.has_outages, false),
       coalesce(unit.customers, 0)::BIGINT,
       unit.kwh::DOUBLE, unit.receivable::DOUBLE, unit.collected::DOUBLE, unit.arrears::DOUBLE,
       unit.supplied::DOUBLE, unit.sold::DOUBLE,
       unit.connections::DOUBLE, unit.connection_days::DOUBLE, unit.connections_over_limit::DOUBLE,
       unit.complaints::DOUBLE, unit.repairs_arrived::DOUBLE, unit.repair_arrival_minutes::DOUBLE,
       unit.satisfied::DOUBLE, unit.callbacks::DOUBLE, unit.tickets_due::DOUBLE, unit.tickets_on_time::DOUBLE,
       unit.interruptions::DOUBLE, unit.customer_minutes::DOUBLE, unit.customer_minutes_rs3::DOUBLE
FROM wanted
CROSS JOIN months
LEFT JOIN coverage ON coverage.m = months.m
LEFT JOIN unit ON unit.owner = wanted.owner AND unit.m = months.m
ORDER BY wanted.owner, months.m
