-- The sums behind the indicators that split by customer class, per class and month from $2
-- to $3 (first days of months), of org unit $1 and of each unit one level below it (each
-- with its subtree), from the prebuilt kpi_class_month. After the unit and the class, the
-- columns are those of kpi_month_totals_direct.sql; line loss and outages belong to areas, not
-- classes: they are marked as not covered.
WITH scope AS (
    SELECT oc.ancestor_id AS owner, oc.unit_id FROM org_closure oc
    WHERE oc.ancestor_id = $1 OR oc.ancestor_id IN (SELECT unit_id FROM org_units WHERE parent_id = $1)
),
months AS (
    SELECT m::DATE AS m, (m + INTERVAL 1 MONTH)::DATE AS next_m
    FROM range($2::DATE, $3::DATE + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
),
coverage AS (
    SELECT month AS m, sum(n_bills) > 0 AS has_bills, sum(connections) > 0 AS has_connections,
           sum(n_tickets) > 0 AS has_tickets
    FROM kpi_unit_month WHERE month BETWEEN $2::DATE AND $3::DATE GROUP BY 1
),
by_class AS (
    SELECT scope.owner, customer_class, month AS m, sum(n_bills) AS n_bills,
           sum(customers) AS customers, sum(kwh) AS kwh,
           sum(receivable) AS receivable, sum(collected) AS collected, sum(arrears) AS arrears,
           sum(connections) AS connections, sum(connection_days) AS connection_days,
           sum(connections_over_limit) AS connections_over_limit, sum(complaints) AS complaints,
           sum(repairs_arrived) AS repairs_arrived, sum(repair_arrival_minutes) AS repair_arrival_minutes,
           sum(satisfied) AS satisfied, sum(callbacks) AS callbacks, sum(tickets_due) AS tickets_due,
           sum(tickets_on_time) AS tickets_on_time
    FROM kpi_class_month JOIN scope USING (unit_id)
    WHERE month BETWEEN $2::DATE AND $3::DATE
    GROUP BY 1, 2, 3
),
-- The row without a class holds only tickets: bills and new connections have no data there.
classes AS (
    SELECT owner, customer_class, customer_class IS NOT NULL OR sum(n_bills) > 0 AS bills_apply,
           customer_class IS NOT NULL OR sum(connections) > 0 AS connections_apply
    FROM by_class GROUP BY 1, 2
)
SELECT classes.owner, classes.customer_class, months.m,
       datediff('hour', months.m, months.next_m) AS hours,
       coalesce(coverage.has_bills, false) AND classes.bills_apply, false,
       coalesce(coverage.has_connections, false) AND classes.connections_apply,
       coalesce(coverage.has_tickets, false), false,
       coalesce(c.customers, 0)::BIGINT,
       c.kwh::DOUBLE, c.receivable::DOUBLE, c.collected::DOUBLE, c.arrears::DOUBLE,
       NULL::DOUBLE, NULL::DOUBLE,
       c.connections::DOUBLE, c.connection_days::DOUBLE, c.connections_over_limit::DOUBLE,
       c.complaints::DOUBLE, c.repairs_arrived::DOUBLE, c.repair_arrival_minutes::DOUBLE,
       c.satisfied::DOUBLE, c.callbacks::DOUBLE, c.tickets_due::DOUBLE, c.tickets_on_time::DOUBLE,
       NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE
FROM classes CROSS JOIN months
LEFT JOIN coverage USING (m)
LEFT JOIN by_class c ON c.owner = classes.owner AND c.m = months.m
     AND c.customer_class IS NOT DISTINCT FROM classes.customer_class
ORDER BY classes.owner <> $1, classes.owner, classes.customer_class NULLS LAST, months.m
