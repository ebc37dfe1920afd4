-- The sums behind every indicator of the Views for Leaders page, computed from the data
-- tables, for several org units at once (each with every unit below it): $1 holds the units'
-- ids separated by the character 0x1F; one row per unit and month from $2 to $3 (first days of
-- months), the unit's id first. Each part is summed per unit below and month once, then added
-- up for each unit asked (as kpi_month_totals.sql adds up the prebuilt sums), so that a unit
-- and the units below it, asked together, read the data tables once.
-- Ratios are formed from these sums in metrics/kpi.rs, so a ratio of a larger unit is
-- always the ratio of its sums, never an average of ratios. Definitions: docs/metrics.md.
WITH wanted AS (
    SELECT DISTINCT unnest(string_split($1, chr(31))) AS owner
),
scope AS (
    SELECT oc.ancestor_id AS owner, oc.unit_id
    FROM org_closure oc WHERE oc.ancestor_id IN (SELECT owner FROM wanted)
),
units AS (
    SELECT DISTINCT unit_id FROM scope
),
months AS (
    SELECT m::DATE AS m, (m + INTERVAL 1 MONTH)::DATE AS next_m
    FROM range($2::DATE, $3::DATE + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
),
cust AS (
    SELECT customer_id, unit_id, opened_on, status, status_date
    FROM customers WHERE unit_id IN (SELECT unit_id FROM units)
),
-- Customers served at the end of each month: opened by then and not closed by then.
served AS (
    SELECT cust.unit_id, months.m, count(*) AS customers
    FROM months JOIN cust
      ON (cust.opened_on IS NULL OR cust.opened_on < months.next_m)
     AND NOT (cust.status = 'closed' AND cust.status_date IS NOT NULL AND cust.status_date < months.next_m)
    GROUP BY 1, 2
),
bill AS (
    SELECT cust.unit_id, b.billing_month AS m, sum(b.kwh) AS kwh, sum(b.amount) AS receivable
    FROM bills b JOIN cust USING (customer_id)
    WHERE b.billing_month BETWEEN $2::DATE AND $3::DATE
    GROUP BY 1, 2
),
-- Collected on a month's bills: paid by the end of the second month after it (bills of a
-- month are issued in the next one and fall due soon after).
collected AS (
    SELECT cust.unit_id, b.billing_month AS m, sum(p.amount) AS collected
    FROM bills b JOIN cust USING (customer_id) JOIN payments p ON p.bill_id = b.bill_id
    WHERE b.billing_month BETWEEN $2::DATE AND $3::DATE
      AND p.paid_at < b.billing_month + INTERVAL 3 MONTH
    GROUP BY 1, 2
),
-- Arrears at the end of each month: what is still unpaid then of the bills due by then,
-- each bill's max(amount - paid by the month's end, 0). A bill's unpaid part changes only in
-- the months it is paid in, so it is written as segments of months [from_m, to_m) with one
-- unpaid part each, and a month sums the segments that cover it: one pass over the bills and
-- payments instead of one per month (13 passes took 5 s on a city of a 1M-customer lake).
due_bills AS MATERIALIZED (
    SELECT b.bill_id, cust.unit_id, b.amount, date_trunc('month', b.due_on)::DATE AS due_m
    FROM bills b JOIN cust USING (customer_id)
    WHERE b.due_on < $3::DATE + INTERVAL 1 MONTH
),
paid_by AS MATERIALIZED (
    SELECT bill_id, pm,
           sum(paid) OVER (PARTITION BY bill_id ORDER BY pm) AS paid,
           lead(pm) OVER (PARTITION BY bill_id ORDER BY pm) AS next_pm,
           row_number() OVER (PARTITION BY bill_id ORDER BY pm) = 1 AS first
    FROM (
        SELECT p.bill_id, date_trunc('month', p.paid_at)::DATE AS pm, sum(p.amount) AS paid
        FROM payments p SEMI JOIN due_bills USING (bill_id)
        WHERE p.paid_at < $3::DATE + INTERVAL 1 MONTH
        GROUP BY 1, 2
    )
),
unpaid AS (
    -- Before its first payment, the whole amount.
    SELECT d.unit_id, d.due_m AS from_m, coalesce(p.pm, DATE '9999-12-01') AS to_m, d.amount AS unpaid
    FROM due_bills d LEFT JOIN paid_by p ON p.bill_id = d.bill_id AND p.first
    UNION ALL
    -- From each month it is paid in, the amount less what was paid by then.
    SELECT d.unit_id, greatest(p.pm, d.due_m), coalesce(p.next_pm, DATE '9999-12-01'), greatest(d.amount - p.paid, 0)
    FROM due_bills d JOIN paid_by p USING (bill_id)
),
arrears AS (
    SELECT u.unit_id, months.m, sum(u.unpaid) AS arrears
    FROM months
    JOIN (SELECT * FROM unpaid WHERE unpaid > 0 AND from_m < to_m) u
      ON u.from_m <= months.m AND months.m < u.to_m
    GROUP BY 1, 2
),
loss AS (
    SELECT unit_id, month AS m, sum(supplied_kwh) AS supplied, sum(sold_kwh) AS sold
    FROM line_loss WHERE unit_id IN (SELECT unit_id FROM units)
      AND month BETWEEN $2::DATE AND $3::DATE
    GROUP BY 1, 2
),
-- New connections energised in the month: working days (the project's calendar,
-- work_calendar) from the day of acceptance to the day of energising, less the customer's
-- pauses, against the time limit of its kind.
conn AS (
    SELECT a.unit_id, date_trunc('month', a.energised_at)::DATE AS m,
           count(*) AS connections,
           sum(greatest(greatest(wb.before - wa.before, 0) - coalesce(a.pause_days, 0), 0)) AS connection_days,
           count(*) FILTER (WHERE greatest(greatest(wb.before - wa.before, 0) - coalesce(a.pause_days, 0), 0) >
               connection_limit(a.customer_class, a.voltage, a.dual_supply)) AS connections_over_limit
    FROM applications a
         JOIN working_days_before wa ON wa.day = a.accepted_at::DATE
         JOIN working_days_before wb ON wb.day = a.energised_at::DATE
    WHERE a.unit_id IN (SELECT unit_id FROM units)
      AND a.energised_at >= $2::DATE AND a.energised_at < $3::DATE + INTERVAL 1 MONTH
      AND a.accepted_at IS NOT NULL
    GROUP BY 1, 2
),
received AS (
    SELECT unit_id, date_trunc('month', received_at)::DATE AS m,
           count(*) FILTER (WHERE ticket_type = 'complaint') AS complaints,
           count(*) FILTER (WHERE ticket_type = 'fault_repair' AND arrived_at IS NOT NULL
                            AND dispatched_at IS NOT NULL) AS repairs_arrived,
           sum(epoch(arrived_at - dispatched_at) / 60.0)
               FILTER (WHERE ticket_type = 'fault_repair' AND arrived_at IS NOT NULL
                       AND dispatched_at IS NOT NULL) AS repair_arrival_minutes,
           count(*) FILTER (WHERE satisfaction = 'satisfied') AS satisfied,
           count(*) FILTER (WHERE satisfaction IN ('satisfied', 'neutral', 'dissatisfied')) AS callbacks
    FROM tickets
    WHERE unit_id IN (SELECT unit_id FROM units)
      AND received_at >= $2::DATE AND received_at < $3::DATE + INTERVAL 1 MONTH
    GROUP BY 1, 2
),
-- Tickets whose deadline falls in the month, and those closed by it.
due_tickets AS (
    SELECT unit_id, date_trunc('month', deadline_at)::DATE AS m,
           count(*) AS tickets_due,
           count(*) FILTER (WHERE closed_at IS NOT NULL AND closed_at <= deadline_at) AS tickets_on_time
    FROM tickets
    WHERE unit_id IN (SELECT unit_id FROM units)
      AND deadline_at >= $2::DATE AND deadline_at < $3::DATE + INTERVAL 1 MONTH
    GROUP BY 1, 2
),
-- Sustained interruptions (over 5 minutes) starting in the month.
cuts AS (
    SELECT unit_id, date_trunc('month', start_at)::DATE AS m,
           sum(customers_affected) AS interruptions,
           sum(customers_affected * epoch(end_at - start_at) / 60.0) AS customer_minutes,
           sum(customers_affected * epoch(end_at - start_at) / 60.0)
               FILTER (WHERE cause IS DISTINCT FROM 'supply_shortage') AS customer_minutes_rs3
    FROM outages
    WHERE unit_id IN (SELECT unit_id FROM units)
      AND start_at >= $2::DATE AND start_at < $3::DATE + INTERVAL 1 MONTH
      AND end_at IS NOT NULL AND epoch(end_at - start_at) > 300
    GROUP BY 1, 2
),
-- Every part per unit below and month, then added up for each unit asked.
per_unit AS (
    SELECT * FROM served
    UNION ALL BY NAME SELECT * FROM bill
    UNION ALL BY NAME SELECT * FROM collected
    UNION ALL BY NAME SELECT * FROM arrears
    UNION ALL BY NAME SELECT * FROM loss
    UNION ALL BY NAME SELECT * FROM conn
    UNION ALL BY NAME SELECT * FROM received
    UNION ALL BY NAME SELECT * FROM due_tickets
    UNION ALL BY NAME SELECT * FROM cuts
),
unit AS (
    SELECT scope.owner, p.m, sum(customers) AS customers, sum(kwh) AS kwh, sum(receivable) AS receivable,
           sum(collected) AS collected, sum(arrears) AS arrears, sum(supplied) AS supplied, sum(sold) AS sold,
           sum(connections) AS connections, sum(connection_days) AS connection_days,
           sum(connections_over_limit) AS connections_over_limit, sum(complaints) AS complaints,
           sum(repairs_arrived) AS repairs_arrived, sum(repair_arrival_minutes) AS repair_arrival_minutes,
           sum(satisfied) AS satisfied, sum(callbacks) AS callbacks, sum(tickets_due) AS tickets_due,
           sum(tickets_on_time) AS tickets_on_time, sum(interruptions) AS interruptions,
           sum(customer_minutes) AS customer_minutes, sum(customer_minutes_rs3) AS customer_minutes_rs3
    FROM per_unit p JOIN scope USING (unit_id)
    GROUP BY 1, 2
),
-- Which months each source table covers anywhere in the project: there, a unit without
-- rows has zero (no complaints), elsewhere it has no data.
coverage AS (
    SELECT months.m,
           EXISTS (SELECT 1 FROM bills WHERE billing_month = months.m) AS has_bills,
           EXISTS (SELECT 1 FROM line_loss WHERE month = months.m) AS has_loss,
           EXISTS (SELECT 1 FROM applications WHERE energised_at >= months.m AND energised_at < months.next_m) AS has_connections,
           EXISTS (SELECT 1 FROM tickets WHERE received_at >= months.m AND received_at < months.next_m) AS has_tickets,
           EXISTS (SELECT 1 FROM outages WHERE start_at >= months.m AND start_at < months.next_m) AS has_outages
    FROM months
)
SELECT wanted.owner, months.m,
       datediff('hour', months.m, months.next_m) AS hours,
       coverage.has_bills, coverage.has_loss, coverage.has_connections, coverage.has_tickets, coverage.has_outages,
       coalesce(unit.customers, 0)::BIGINT AS customers,
       unit.kwh::DOUBLE AS kwh,
       unit.receivable::DOUBLE AS receivable,
       unit.collected::DOUBLE AS collected,
       unit.arrears::DOUBLE AS arrears,
       unit.supplied::DOUBLE AS supplied,
       unit.sold::DOUBLE AS sold,
       unit.connections::DOUBLE AS connections,
       unit.connection_days::DOUBLE AS connection_days,
       unit.connections_over_limit::DOUBLE AS connections_over_limit,
       unit.complaints::DOUBLE AS complaints,
       unit.repairs_arrived::DOUBLE AS repairs_arrived,
       unit.repair_arrival_minutes::DOUBLE AS repair_arrival_minutes,
       unit.satisfied::DOUBLE AS satisfied,
       unit.callbacks::DOUBLE AS callbacks,
       unit.tickets_due::DOUBLE AS tickets_due,
       unit.tickets_on_time::DOUBLE AS tickets_on_time,
       unit.interruptions::DOUBLE AS interruptions,
       unit.customer_minutes::DOUBLE AS customer_minutes,
       unit.customer_minutes_rs3::DOUBLE AS customer_minutes_rs3
FROM wanted
CROSS JOIN months
JOIN coverage ON coverage.m = months.m
LEFT JOIN unit ON unit.owner = wanted.owner AND unit.m = months.m
ORDER BY wanted.owner, months.m
