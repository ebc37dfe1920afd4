-- The sums behind every indicator of the Views for Leaders page, computed from the data
-- tables, for the org units listed in $1 (their ids separated by the character 0x1F), each
-- unit's own rows only (not the units below it), months $2 to $3 (first days of months):
-- a row per unit and month with any. kpi_direct.rs keeps them for the session and adds
-- them up for the units asked (kpi_month_totals_direct.sql), as kpi_month_totals.sql adds
-- up the prebuilt sums (kpi_rebuild.sql), which follow the same definitions.
-- Ratios are formed from these sums in metrics/kpi.rs, so a ratio of a larger unit is
-- always the ratio of its sums, never an average of ratios. Definitions: docs/metrics.md.
WITH units AS (
    SELECT DISTINCT unnest(string_split($1, chr(31))) AS unit_id
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
-- The bills of the units billed in the months, and those due by the last month.
billed AS (
    SELECT b.bill_id, cust.unit_id, b.billing_month, b.kwh, b.amount,
           date_trunc('month', b.due_on)::DATE AS due_m
    FROM bills b JOIN cust USING (customer_id)
    WHERE b.billing_month BETWEEN $2::DATE AND $3::DATE OR b.due_on < $3::DATE + INTERVAL 1 MONTH
),
-- Each bill with what was paid on it in each month (none: one row, pm NULL) and by the end
-- of that month, the next month it is paid in, and whether the row is the bill's first: one
-- join of bills and payments serves the sums of bills, collection and arrears. The running
-- sums are taken over a bill number's payments before the join, so that a number on two
-- bills (a defect of the extract) counts its payments on each, as a join of the two would.
paid AS MATERIALIZED (
    SELECT billed.*, p.pm, p.paid, p.paid_by, p.next_pm, coalesce(p.first, true) AS first
    FROM billed LEFT JOIN (
        SELECT bill_id, pm, paid,
               sum(paid) OVER (PARTITION BY bill_id ORDER BY pm) AS paid_by,
               lead(pm) OVER (PARTITION BY bill_id ORDER BY pm) AS next_pm,
               row_number() OVER (PARTITION BY bill_id ORDER BY pm) = 1 AS first
        FROM (
            SELECT bill_id, date_trunc('month', paid_at)::DATE AS pm, sum(amount) AS paid
            FROM payments WHERE paid_at < $3::DATE + INTERVAL 3 MONTH
            GROUP BY 1, 2
        )
    ) p USING (bill_id)
),
bill AS (
    SELECT unit_id, billing_month AS m, sum(kwh) AS kwh, sum(amount) AS receivable
    FROM paid WHERE first AND billing_month BETWEEN $2::DATE AND $3::DATE
    GROUP BY 1, 2
),
-- Collected on a month's bills: paid by the end of the second month after it (bills of a
-- month are issued in the next one and fall due soon after).
collected AS (
    SELECT unit_id, billing_month AS m, sum(paid) AS collected
    FROM paid
    WHERE billing_month BETWEEN $2::DATE AND $3::DATE AND pm < billing_month + INTERVAL 3 MONTH
    GROUP BY 1, 2
),
-- Arrears at the end of each month: what is still unpaid then of the bills due by then,
-- each bill's max(amount - paid by the month's end, 0). A bill's unpaid part changes only in
-- the months it is paid in, so it is written as segments of months [from_m, to_m) with one
-- unpaid part each, and a month sums the segments that cover it: one pass over the bills and
-- payments instead of one per month (13 passes took 5 s on a city of a 1M-customer lake).
unpaid AS (
    -- Before its first payment, the whole amount.
    SELECT unit_id, due_m AS from_m, coalesce(pm, DATE '9999-12-01') AS to_m, amount AS unpaid
    FROM paid WHERE first AND due_m < $3::DATE + INTERVAL 1 MONTH
    UNION ALL
    -- From each month it is paid in, the amount less what was paid by then.
    SELECT unit_id, greatest(pm, due_m), coalesce(next_pm, DATE '9999-12-01'), greatest(amount - paid_by, 0)
    FROM paid WHERE pm IS NOT NULL AND due_m < $3::DATE + INTERVAL 1 MONTH
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
-- Every part per unit and month.
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
)
SELECT unit_id, m AS month, coalesce(sum(customers), 0)::BIGINT AS customers,
       sum(kwh)::DOUBLE AS kwh, sum(receivable)::DOUBLE AS receivable,
       sum(collected)::DOUBLE AS collected, sum(arrears)::DOUBLE AS arrears,
       sum(supplied)::DOUBLE AS supplied, sum(sold)::DOUBLE AS sold,
       sum(connections)::DOUBLE AS connections, sum(connection_days)::DOUBLE AS connection_days,
       sum(connections_over_limit)::DOUBLE AS connections_over_limit, sum(complaints)::DOUBLE AS complaints,
       sum(repairs_arrived)::DOUBLE AS repairs_arrived, sum(repair_arrival_minutes)::DOUBLE AS repair_arrival_minutes,
       sum(satisfied)::DOUBLE AS satisfied, sum(callbacks)::DOUBLE AS callbacks,
       sum(tickets_due)::DOUBLE AS tickets_due, sum(tickets_on_time)::DOUBLE AS tickets_on_time,
       sum(interruptions)::DOUBLE AS interruptions, sum(customer_minutes)::DOUBLE AS customer_minutes,
       sum(customer_minutes_rs3)::DOUBLE AS customer_minutes_rs3
FROM per_unit
GROUP BY 1, 2
