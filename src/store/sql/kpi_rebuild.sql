-- Rebuilds kpi_unit_month: the sums of kpi_month_totals_direct.sql for every org unit
-- (its own rows) and every month the data covers. Same definitions; see docs/metrics.md.
DELETE FROM kpi_unit_month;
INSERT INTO kpi_unit_month
WITH span AS (
    SELECT min(m) AS first_m, max(m) AS last_m FROM (
        SELECT min(billing_month) AS m FROM bills UNION ALL SELECT max(billing_month) FROM bills
        UNION ALL SELECT min(month) FROM line_loss UNION ALL SELECT max(month) FROM line_loss
        UNION ALL SELECT date_trunc('month', min(energised_at))::DATE FROM applications
        UNION ALL SELECT date_trunc('month', max(energised_at))::DATE FROM applications
        UNION ALL SELECT date_trunc('month', min(received_at))::DATE FROM tickets
        UNION ALL SELECT date_trunc('month', max(received_at))::DATE FROM tickets
        UNION ALL SELECT date_trunc('month', min(deadline_at))::DATE FROM tickets
        UNION ALL SELECT date_trunc('month', max(deadline_at))::DATE FROM tickets
        UNION ALL SELECT date_trunc('month', min(start_at))::DATE FROM outages
        UNION ALL SELECT date_trunc('month', max(start_at))::DATE FROM outages
    )
),
months AS (
    SELECT m::DATE AS m, (m + INTERVAL 1 MONTH)::DATE AS next_m
    FROM span, range(span.first_m, span.last_m + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
    WHERE span.first_m IS NOT NULL
),
served AS (
    SELECT c.unit_id, months.m, count(*) AS customers
    FROM months JOIN customers c
      ON (c.opened_on IS NULL OR c.opened_on < months.next_m)
     AND NOT (c.status = 'closed' AND c.status_date IS NOT NULL AND c.status_date < months.next_m)
    GROUP BY 1, 2
),
bill AS (
    SELECT c.unit_id, b.billing_month AS m, count(*) AS n_bills, sum(b.kwh) AS kwh, sum(b.amount) AS receivable
    FROM bills b JOIN customers c USING (customer_id)
    GROUP BY 1, 2
),
collected AS (
    SELECT c.unit_id, b.billing_month AS m, sum(p.amount) AS collected
    FROM bills b JOIN customers c USING (customer_id) JOIN payments p ON p.bill_id = b.bill_id
    WHERE p.paid_at < b.billing_month + INTERVAL 3 MONTH
    GROUP BY 1, 2
),
-- A bill paid in full by the end of the month it falls due in owes nothing at any later
-- month's end: only the others are followed month by month.
paid_in_due_month AS (
    SELECT b.bill_id, sum(p.amount) AS paid
    FROM bills b JOIN payments p ON p.bill_id = b.bill_id
    WHERE b.due_on IS NOT NULL AND p.paid_at < date_trunc('month', b.due_on) + INTERVAL 1 MONTH
    GROUP BY 1
),
late AS (
    SELECT b.bill_id, c.unit_id, b.amount, b.due_on
    FROM bills b JOIN customers c USING (customer_id)
    LEFT JOIN paid_in_due_month q USING (bill_id)
    WHERE b.due_on IS NOT NULL AND coalesce(q.paid, 0) < b.amount
),
late_due AS (
    SELECT late.*, months.m, months.next_m FROM late JOIN months ON late.due_on < months.next_m
),
late_paid AS (
    SELECT d.bill_id, d.m, sum(p.amount) AS paid
    FROM late_due d JOIN payments p ON p.bill_id = d.bill_id AND p.paid_at < d.next_m
    GROUP BY 1, 2
),
arrears AS (
    SELECT d.unit_id, d.m, sum(greatest(d.amount - coalesce(lp.paid, 0), 0)) AS arrears
    FROM late_due d LEFT JOIN late_paid lp USING (bill_id, m)
    GROUP BY 1, 2
),
loss AS (
    SELECT unit_id, month AS m, count(*) AS n_loss, sum(supplied_kwh) AS supplied, sum(sold_kwh) AS sold
    FROM line_loss GROUP BY 1, 2
),
conn AS (
    SELECT a.unit_id, date_trunc('month', a.energised_at)::DATE AS m,
           count(*) AS connections,
           sum(greatest(w.days - coalesce(a.pause_days, 0), 0)) AS connection_days,
           count(*) FILTER (WHERE greatest(w.days - coalesce(a.pause_days, 0), 0) >
               CASE WHEN a.customer_class = 'residential' THEN 5
                    WHEN a.voltage IN ('220V', '380V') THEN 6
                    WHEN a.dual_supply THEN 32 ELSE 22 END) AS connections_over_limit
    FROM applications a,
         LATERAL (SELECT count(*) AS days
                  FROM range(a.accepted_at::DATE, a.energised_at::DATE, INTERVAL 1 DAY) t(d)
                  WHERE isodow(d) <= 5) w
    WHERE a.energised_at IS NOT NULL AND a.accepted_at IS NOT NULL
    GROUP BY 1, 2
),
received AS (
    SELECT unit_id, date_trunc('month', received_at)::DATE AS m,
           count(*) AS n_tickets,
           count(*) FILTER (WHERE ticket_type = 'complaint') AS complaints,
           count(*) FILTER (WHERE ticket_type = 'fault_repair' AND arrived_at IS NOT NULL
                            AND dispatched_at IS NOT NULL) AS repairs_arrived,
           sum(epoch(arrived_at - dispatched_at) / 60.0)
               FILTER (WHERE ticket_type = 'fault_repair' AND arrived_at IS NOT NULL
                       AND dispatched_at IS NOT NULL) AS repair_arrival_minutes,
           count(*) FILTER (WHERE satisfaction = 'satisfied') AS satisfied,
           count(*) FILTER (WHERE satisfaction IN ('satisfied', 'neutral', 'dissatisfied')) AS callbacks
    FROM tickets GROUP BY 1, 2
),
due_tickets AS (
    SELECT unit_id, date_trunc('month', deadline_at)::DATE AS m,
           count(*) AS tickets_due,
           count(*) FILTER (WHERE closed_at IS NOT NULL AND closed_at <= deadline_at) AS tickets_on_time
    FROM tickets WHERE deadline_at IS NOT NULL GROUP BY 1, 2
),
started AS (
    SELECT unit_id, date_trunc('month', start_at)::DATE AS m, count(*) AS n_outages
    FROM outages GROUP BY 1, 2
),
cuts AS (
    SELECT unit_id, date_trunc('month', start_at)::DATE AS m,
           sum(customers_affected) AS interruptions,
           sum(customers_affected * epoch(end_at - start_at) / 60.0) AS customer_minutes,
           sum(customers_affected * epoch(end_at - start_at) / 60.0)
               FILTER (WHERE cause IS DISTINCT FROM 'supply_shortage') AS customer_minutes_rs3
    FROM outages
    WHERE end_at IS NOT NULL AND epoch(end_at - start_at) > 300
    GROUP BY 1, 2
),
cells AS (
    SELECT u.unit_id, months.m FROM org_units u, months
)
SELECT cells.unit_id, cells.m,
       coalesce(served.customers, 0),
       coalesce(bill.n_bills, 0), bill.kwh, bill.receivable, collected.collected, arrears.arrears,
       coalesce(loss.n_loss, 0), loss.supplied, loss.sold,
       coalesce(conn.connections, 0), conn.connection_days, conn.connections_over_limit,
       coalesce(received.n_tickets, 0), received.complaints, received.repairs_arrived,
       received.repair_arrival_minutes, received.satisfied, received.callbacks,
       due_tickets.tickets_due, due_tickets.tickets_on_time,
       coalesce(started.n_outages, 0), cuts.interruptions, cuts.customer_minutes, cuts.customer_minutes_rs3
FROM cells
LEFT JOIN served USING (unit_id, m)
LEFT JOIN bill USING (unit_id, m)
LEFT JOIN collected USING (unit_id, m)
LEFT JOIN arrears USING (unit_id, m)
LEFT JOIN loss USING (unit_id, m)
LEFT JOIN conn USING (unit_id, m)
LEFT JOIN received USING (unit_id, m)
LEFT JOIN due_tickets USING (unit_id, m)
LEFT JOIN started USING (unit_id, m)
LEFT JOIN cuts USING (unit_id, m);
