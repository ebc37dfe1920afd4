-- Rebuilds kpi_class_month: the sums of kpi_unit_month_direct.sql that split by customer
-- class, per org unit (its own rows), month and class. Same definitions; see
-- docs/metrics.md. Needs rebuild_months (sums_months.sql) and arrears_open
-- (collection_rebuild.sql). Inside, a missing class is '' so that the joins match it.
-- Rebuilds the units where in_scope(unit) from the month rebuild_from() on (kpi.rs).
DELETE FROM kpi_class_month WHERE in_scope(unit_id) AND month >= rebuild_from();
INSERT INTO kpi_class_month
WITH served AS (
    SELECT c.unit_id, months.m, c.customer_class AS cls, count(*) AS customers
    FROM rebuild_months months JOIN customers c
      ON (c.opened_on IS NULL OR c.opened_on < months.next_m)
     AND NOT (c.status = 'closed' AND c.status_date IS NOT NULL AND c.status_date < months.next_m)
    WHERE months.m >= rebuild_from() AND in_scope(c.unit_id)
    GROUP BY 1, 2, 3
),
bill AS (
    SELECT c.unit_id, b.billing_month AS m, c.customer_class AS cls,
           count(*) AS n_bills, sum(b.kwh) AS kwh, sum(b.amount) AS receivable
    FROM bills b JOIN customers c USING (customer_id)
    WHERE b.billing_month >= rebuild_from() AND in_scope(c.unit_id)
    GROUP BY 1, 2, 3
),
-- Collected on a month's bills: paid by the end of the second month after it.
collected AS (
    SELECT c.unit_id, b.billing_month AS m, c.customer_class AS cls, sum(p.amount) AS collected
    FROM bills b JOIN customers c USING (customer_id) JOIN payments p ON p.bill_id = b.bill_id
    WHERE p.paid_at < b.billing_month + INTERVAL 3 MONTH
      AND b.billing_month >= rebuild_from() AND in_scope(c.unit_id)
    GROUP BY 1, 2, 3
),
-- Arrears at the month's end: what the late bills still owe then.
arrears AS (
    SELECT unit_id, m, customer_class AS cls, sum(owed) AS arrears
    FROM arrears_open GROUP BY 1, 2, 3
),
conn AS (
    SELECT a.unit_id, date_trunc('month', a.energised_at)::DATE AS m, a.customer_class AS cls,
           count(*) AS connections,
           sum(greatest(greatest(wb.before - wa.before, 0) - coalesce(a.pause_days, 0), 0)) AS connection_days,
           count(*) FILTER (WHERE greatest(greatest(wb.before - wa.before, 0) - coalesce(a.pause_days, 0), 0) >
               connection_limit(a.customer_class, a.voltage, a.dual_supply)) AS connections_over_limit
    FROM applications a
         JOIN working_days_before wa ON wa.day = a.accepted_at::DATE
         JOIN working_days_before wb ON wb.day = a.energised_at::DATE
    WHERE a.energised_at IS NOT NULL AND a.accepted_at IS NOT NULL
      AND a.energised_at >= rebuild_from() AND in_scope(a.unit_id)
    GROUP BY 1, 2, 3
),
ticket AS (
    SELECT t.*, coalesce(c.customer_class, '') AS cls
    FROM tickets t LEFT JOIN customers c USING (customer_id)
    WHERE in_scope(t.unit_id)
),
received AS (
    SELECT unit_id, date_trunc('month', received_at)::DATE AS m, cls,
           count(*) AS n_tickets,
           count(*) FILTER (WHERE ticket_type = 'complaint') AS complaints,
           count(*) FILTER (WHERE ticket_type = 'fault_repair' AND arrived_at IS NOT NULL
                            AND dispatched_at IS NOT NULL) AS repairs_arrived,
           sum(epoch(arrived_at - dispatched_at) / 60.0)
               FILTER (WHERE ticket_type = 'fault_repair' AND arrived_at IS NOT NULL
                       AND dispatched_at IS NOT NULL) AS repair_arrival_minutes,
           count(*) FILTER (WHERE satisfaction = 'satisfied') AS satisfied,
           count(*) FILTER (WHERE satisfaction IN ('satisfied', 'neutral', 'dissatisfied')) AS callbacks
    FROM ticket WHERE received_at >= rebuild_from() GROUP BY 1, 2, 3
),
due_tickets AS (
    SELECT unit_id, date_trunc('month', deadline_at)::DATE AS m, cls,
           count(*) AS tickets_due,
           count(*) FILTER (WHERE closed_at IS NOT NULL AND closed_at <= deadline_at) AS tickets_on_time
    FROM ticket WHERE deadline_at IS NOT NULL AND deadline_at >= rebuild_from() GROUP BY 1, 2, 3
),
cells AS (
    SELECT DISTINCT unit_id, m, cls FROM (
        SELECT unit_id, m, cls FROM served UNION ALL SELECT unit_id, m, cls FROM bill
        UNION ALL SELECT unit_id, m, cls FROM collected UNION ALL SELECT unit_id, m, cls FROM arrears
        UNION ALL SELECT unit_id, m, cls FROM conn UNION ALL SELECT unit_id, m, cls FROM received
        UNION ALL SELECT unit_id, m, cls FROM due_tickets
    )
    WHERE m IN (SELECT m FROM rebuild_months) AND m >= rebuild_from()
)
SELECT cells.unit_id, cells.m, nullif(cells.cls, ''),
       coalesce(served.customers, 0),
       coalesce(bill.n_bills, 0), bill.kwh, bill.receivable, collected.collected, arrears.arrears,
       coalesce(conn.connections, 0), conn.connection_days, conn.connections_over_limit,
       coalesce(received.n_tickets, 0), received.complaints, received.repairs_arrived,
       received.repair_arrival_minutes, received.satisfied, received.callbacks,
       due_tickets.tickets_due, due_tickets.tickets_on_time
FROM cells
LEFT JOIN served USING (unit_id, m, cls)
LEFT JOIN bill USING (unit_id, m, cls)
LEFT JOIN collected USING (unit_id, m, cls)
LEFT JOIN arrears USING (unit_id, m, cls)
LEFT JOIN conn USING (unit_id, m, cls)
LEFT JOIN received USING (unit_id, m, cls)
LEFT JOIN due_tickets USING (unit_id, m, cls);
