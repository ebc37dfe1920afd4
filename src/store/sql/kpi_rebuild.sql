-- Rebuilds kpi_unit_month: the sums of kpi_unit_month_direct.sql for every org unit
-- (its own rows) and every month the data covers. Same definitions; see docs/metrics.md.
-- The parts that split by customer class are kpi_class_month summed over the classes
-- (kpi_class_rebuild.sql runs first); line loss and outages belong to areas, not classes.
-- Rebuilds the units where in_scope(unit) from the month rebuild_from() on (kpi.rs).
DELETE FROM kpi_unit_month WHERE in_scope(unit_id) AND month >= rebuild_from();
INSERT INTO kpi_unit_month
WITH classes AS (
    SELECT unit_id, month AS m, sum(customers) AS customers, sum(n_bills) AS n_bills,
           sum(kwh) AS kwh, sum(receivable) AS receivable, sum(collected) AS collected,
           sum(arrears) AS arrears, sum(connections) AS connections,
           sum(connection_days) AS connection_days, sum(connections_over_limit) AS connections_over_limit,
           sum(n_tickets) AS n_tickets, sum(complaints) AS complaints,
           sum(repairs_arrived) AS repairs_arrived, sum(repair_arrival_minutes) AS repair_arrival_minutes,
           sum(satisfied) AS satisfied, sum(callbacks) AS callbacks,
           sum(tickets_due) AS tickets_due, sum(tickets_on_time) AS tickets_on_time
    FROM kpi_class_month WHERE month >= rebuild_from() AND in_scope(unit_id) GROUP BY 1, 2
),
loss AS (
    SELECT unit_id, month AS m, count(*) AS n_loss, sum(supplied_kwh) AS supplied, sum(sold_kwh) AS sold
    FROM line_loss WHERE month >= rebuild_from() AND in_scope(unit_id) GROUP BY 1, 2
),
started AS (
    SELECT unit_id, date_trunc('month', start_at)::DATE AS m, count(*) AS n_outages
    FROM outages WHERE start_at >= rebuild_from() AND in_scope(unit_id) GROUP BY 1, 2
),
-- Sustained interruptions (over 5 minutes) starting in the month.
cuts AS (
    SELECT unit_id, date_trunc('month', start_at)::DATE AS m,
           sum(customers_affected) AS interruptions,
           sum(customers_affected * epoch(end_at - start_at) / 60.0) AS customer_minutes,
           sum(customers_affected * epoch(end_at - start_at) / 60.0)
               FILTER (WHERE cause IS DISTINCT FROM 'supply_shortage') AS customer_minutes_rs3
    FROM outages
    WHERE end_at IS NOT NULL AND epoch(end_at - start_at) > 300
      AND start_at >= rebuild_from() AND in_scope(unit_id)
    GROUP BY 1, 2
),
cells AS (
    SELECT u.unit_id, months.m FROM org_units u, rebuild_months months
    WHERE months.m >= rebuild_from() AND in_scope(u.unit_id)
)
SELECT cells.unit_id, cells.m,
       coalesce(classes.customers, 0),
       coalesce(classes.n_bills, 0), classes.kwh, classes.receivable, classes.collected, classes.arrears,
       coalesce(loss.n_loss, 0), loss.supplied, loss.sold,
       coalesce(classes.connections, 0), classes.connection_days, classes.connections_over_limit,
       coalesce(classes.n_tickets, 0), classes.complaints, classes.repairs_arrived,
       classes.repair_arrival_minutes, classes.satisfied, classes.callbacks,
       classes.tickets_due, classes.tickets_on_time,
       coalesce(started.n_outages, 0), cuts.interruptions, cuts.customer_minutes, cuts.customer_minutes_rs3
FROM cells
LEFT JOIN classes USING (unit_id, m)
LEFT JOIN loss USING (unit_id, m)
LEFT JOIN started USING (unit_id, m)
LEFT JOIN cuts USING (unit_id, m);
