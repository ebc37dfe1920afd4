-- A normal account whose meter (or CT) is past its verification or rotation date at the end
-- of the audited period.
SELECT 'customer' AS entity_type, c.customer_id AS entity_id, c.unit_id, NULL::DATE AS period,
       0.0 AS amount,
       least(0.95, 0.6 + CAST(last_day(${to}) - c.meter_due_on AS INT) / 1000) AS confidence,
       c.meter_asset_no, c.meter_due_on, CAST(last_day(${to}) - c.meter_due_on AS INT) AS days_overdue
FROM customers c
WHERE c.status = 'normal' AND c.meter_due_on < last_day(${to}) - ${grace_days} * INTERVAL 1 DAY
