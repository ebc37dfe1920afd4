-- Rebuilds the key-market sums (collection_sums_v8.sql) with the same definitions as the
-- direct queries market_key_customers.sql, market_handling.sql, market_composition.sql,
-- market_arrears_age.sql, market_collection_curve.sql and map_key_customers.sql.
-- Needs rebuild_months (sums_months.sql). Rebuilds the units where in_scope(unit) from
-- the month rebuild_from() on (every unit and month for a full rebuild; kpi.rs).
DELETE FROM arrears_age_unit_month WHERE in_scope(unit_id) AND month >= rebuild_from();
DELETE FROM due_unit_month WHERE in_scope(unit_id) AND month >= rebuild_from();
DELETE FROM collection_unit_day WHERE in_scope(unit_id) AND month >= rebuild_from();
DELETE FROM mix_unit_month WHERE in_scope(unit_id) AND month >= rebuild_from();
DELETE FROM key_candidates_unit_month WHERE in_scope(unit_id) AND month >= rebuild_from();
DELETE FROM handling_apps WHERE in_scope(unit_id) AND month >= rebuild_from();
DELETE FROM month_top_unit_month WHERE in_scope(unit_id) AND month >= rebuild_from();

INSERT INTO month_top_unit_month
SELECT unit_id, m, customer_id, kwh
FROM (
    SELECT c.unit_id, b.billing_month AS m, b.customer_id, sum(b.kwh) AS kwh
    FROM bills b JOIN customers c USING (customer_id)
    WHERE b.billing_month >= rebuild_from() AND in_scope(c.unit_id)
    GROUP BY 1, 2, 3
)
QUALIFY row_number() OVER (PARTITION BY unit_id, m ORDER BY kwh DESC NULLS LAST, customer_id) <= 300;

INSERT INTO handling_apps
SELECT a.unit_id, date_trunc('month', a.energised_at)::DATE, a.customer_class,
       greatest(greatest(wb.before - wa.before, 0) - coalesce(a.pause_days, 0), 0),
       connection_limit(a.customer_class, a.voltage, a.dual_supply)
FROM applications a
     JOIN working_days_before wa ON wa.day = a.accepted_at::DATE
     JOIN working_days_before wb ON wb.day = a.energised_at::DATE
WHERE a.energised_at IS NOT NULL AND a.accepted_at IS NOT NULL
  AND a.energised_at >= rebuild_from() AND in_scope(a.unit_id);

-- Every customer in every month (a customer not billed in a month still has its last 12
-- months), its 12-month kWh, and the 20 largest per unit and month. The months rebuilt
-- need the 11 before them. (A rebuild of the last three months at most takes the next
-- statement instead.)
INSERT INTO key_candidates_unit_month
WITH span AS (SELECT min(billing_month) AS a, max(billing_month) AS b FROM bills),
months AS (
    SELECT m::DATE AS m FROM span, range(span.a, span.b + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
    WHERE span.a IS NOT NULL AND m >= rebuild_from() - INTERVAL 11 MONTH
      AND rebuild_from() < span.b - INTERVAL 2 MONTH
),
billed AS (
    SELECT customer_id, billing_month AS m, sum(kwh) AS kwh FROM bills
    WHERE billing_month >= rebuild_from() - INTERVAL 11 MONTH AND in_scope_customer(customer_id)
    GROUP BY 1, 2
),
grid AS (
    SELECT c.customer_id, c.unit_id, months.m, coalesce(b.kwh, 0) AS kwh
    FROM (SELECT customer_id, unit_id FROM customers WHERE in_scope_customer(customer_id)) c
    CROSS JOIN months
    LEFT JOIN billed b ON b.customer_id = c.customer_id AND b.m = months.m
),
rolling AS (
    SELECT unit_id, customer_id, m,
           sum(kwh) OVER (PARTITION BY customer_id ORDER BY m ROWS BETWEEN 11 PRECEDING AND CURRENT ROW) AS kwh_12m
    FROM grid
)
SELECT unit_id, m, customer_id, kwh_12m
FROM rolling
WHERE kwh_12m > 0 AND m >= rebuild_from()
QUALIFY row_number() OVER (PARTITION BY unit_id, m ORDER BY kwh_12m DESC, customer_id) <= 20;

-- The same for a rebuild of the last three months at most (an import of a new month): the
-- 12-month kWh of each month rebuilt summed from the bills of its 12 months, without the
-- grid of every customer and month.
INSERT INTO key_candidates_unit_month
WITH span AS (SELECT min(billing_month) AS a, max(billing_month) AS b FROM bills),
months AS (
    SELECT m::DATE AS m
    FROM span, range(greatest(span.a, rebuild_from()), span.b + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
    WHERE span.a IS NOT NULL AND rebuild_from() >= span.b - INTERVAL 2 MONTH
),
billed AS (
    SELECT customer_id, billing_month AS m, sum(kwh) AS kwh FROM bills
    WHERE billing_month >= rebuild_from() - INTERVAL 11 MONTH AND in_scope_customer(customer_id)
    GROUP BY 1, 2
),
rolling AS (
    SELECT c.unit_id, b.customer_id, months.m, sum(b.kwh) AS kwh_12m
    FROM billed b
    JOIN months ON b.m BETWEEN months.m - INTERVAL 11 MONTH AND months.m
    JOIN customers c ON c.customer_id = b.customer_id
    GROUP BY 1, 2, 3
)
SELECT unit_id, m, customer_id, kwh_12m
FROM rolling
WHERE kwh_12m > 0
QUALIFY row_number() OVER (PARTITION BY unit_id, m ORDER BY kwh_12m DESC, customer_id) <= 20;

INSERT INTO mix_unit_month
SELECT c.unit_id, b.billing_month, c.customer_class, c.voltage, c.industry_code,
       count(DISTINCT b.customer_id), sum(b.kwh)
FROM bills b JOIN customers c USING (customer_id)
WHERE b.billing_month >= rebuild_from() AND in_scope(c.unit_id)
GROUP BY ALL;

INSERT INTO due_unit_month
SELECT c.unit_id, date_trunc('month', b.due_on)::DATE, sum(b.amount)
FROM bills b JOIN customers c USING (customer_id)
WHERE b.due_on IS NOT NULL AND b.due_on >= rebuild_from() AND in_scope(c.unit_id)
GROUP BY 1, 2;

INSERT INTO collection_unit_day
SELECT c.unit_id, date_trunc('month', b.due_on)::DATE AS m,
       greatest(date_diff('day', date_trunc('month', b.due_on)::DATE, p.paid_at::DATE) + 1, 0),
       sum(p.amount)
FROM bills b JOIN customers c USING (customer_id) JOIN payments p ON p.bill_id = b.bill_id
WHERE b.due_on IS NOT NULL AND p.paid_at < date_trunc('month', b.due_on) + INTERVAL 1 MONTH
  AND b.due_on >= rebuild_from() AND in_scope(c.unit_id)
GROUP BY 1, 2, 3;

-- The late bills of the units and months rebuilt (see late_bills in sums_pending_v11.sql):
-- a bill paid in full by the end of the month it falls due in owes nothing at any later
-- month's end; a late one stops owing in the month it is paid off.
DELETE FROM late_bills WHERE in_scope(unit_id) AND due_on >= rebuild_from();
INSERT INTO late_bills
WITH scoped AS (
    SELECT b.bill_id, c.unit_id, c.customer_class, b.amount, b.due_on, b.billing_month
    FROM bills b JOIN customers c USING (customer_id)
    WHERE b.due_on IS NOT NULL AND b.due_on >= rebuild_from() AND in_scope(c.unit_id)
),
paid_in_due_month AS (
    SELECT s.bill_id, sum(p.amount) AS paid
    FROM scoped s JOIN payments p ON p.bill_id = s.bill_id
    WHERE p.paid_at < date_trunc('month', s.due_on) + INTERVAL 1 MONTH
    GROUP BY 1
),
late AS (
    SELECT s.* FROM scoped s LEFT JOIN paid_in_due_month q USING (bill_id)
    WHERE coalesce(q.paid, 0) < s.amount
),
paid_by_month AS (
    SELECT p.bill_id, date_trunc('month', p.paid_at)::DATE AS pm, sum(p.amount) AS paid
    FROM payments p SEMI JOIN late l ON l.bill_id = p.bill_id
    GROUP BY 1, 2
),
running AS (
    SELECT bill_id, pm, sum(paid) OVER (PARTITION BY bill_id ORDER BY pm) AS paid_so_far
    FROM paid_by_month
),
paid_off AS (
    SELECT r.bill_id, min(r.pm) AS off_m
    FROM running r JOIN late l USING (bill_id)
    WHERE r.paid_so_far >= l.amount
    GROUP BY 1
)
SELECT l.*, o.off_m FROM late l LEFT JOIN paid_off o USING (bill_id);

-- Each late bill still owing in the months rebuilt is followed over the months it owes,
-- and what it owes at a month's end is its amount less its payments up to that month (an
-- as-of join on the running total). Kept for the rebuild's other sums (the arrears of
-- kpi_class_month) and dropped at its end.
CREATE OR REPLACE TEMP TABLE arrears_open AS
WITH span AS (
    SELECT date_trunc('month', min(due_on))::DATE AS first_m,
           greatest(date_trunc('month', max(due_on))::DATE, max(billing_month),
                    (SELECT max(m) FROM rebuild_months)) AS last_m
    FROM bills
),
late AS (
    SELECT * FROM late_bills
    WHERE in_scope(unit_id) AND coalesce(paid_off_month, DATE '9999-12-01') > rebuild_from()
),
paid_by_month AS (
    SELECT p.bill_id, date_trunc('month', p.paid_at)::DATE AS pm, sum(p.amount) AS paid
    FROM payments p SEMI JOIN late l ON l.bill_id = p.bill_id
    GROUP BY 1, 2
),
running AS (
    SELECT bill_id, pm, sum(paid) OVER (PARTITION BY bill_id ORDER BY pm) AS paid_so_far
    FROM paid_by_month
),
-- The months a late bill owes at their end: from the month it falls due to the month
-- before it is paid off, within the months the data covers.
late_due AS (
    SELECT l.*, t.m::DATE AS m, (t.m + INTERVAL 1 MONTH)::DATE AS next_m
    FROM late l
    CROSS JOIN span,
    range(greatest(date_trunc('month', l.due_on)::DATE, rebuild_from()),
          least(coalesce(l.paid_off_month, span.last_m + INTERVAL 1 MONTH), span.last_m + INTERVAL 1 MONTH),
          INTERVAL 1 MONTH) t(m)
),
open AS (
    SELECT d.unit_id, d.customer_class, d.m, d.amount - coalesce(r.paid_so_far, 0) AS owed,
           date_diff('day', d.due_on, (d.next_m - INTERVAL 1 DAY)::DATE) AS days,
           year(d.billing_month) = year(d.m) AS this_year
    FROM late_due d ASOF LEFT JOIN running r ON d.bill_id = r.bill_id AND d.m >= r.pm
)
SELECT * FROM open WHERE owed > 0;

INSERT INTO arrears_age_unit_month
SELECT unit_id, m,
       CASE WHEN days <= 30 THEN 0 WHEN days <= 90 THEN 1 WHEN days <= 180 THEN 2
            WHEN days <= 365 THEN 3 ELSE 4 END,
       sum(owed), count(*), coalesce(sum(owed) FILTER (WHERE this_year), 0)
FROM arrears_open
GROUP BY 1, 2, 3;
