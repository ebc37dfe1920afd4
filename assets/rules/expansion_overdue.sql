-- Handling time of a connection application over the commitment for its class, in working
-- days from acceptance to energising, less the customer's pauses. The working days are the
-- project's calendar (work_calendar: Monday to Friday unless a calendar with the public
-- holidays and the weekend days worked in exchange was imported). An application still open
-- counts to the day the data ends. The limits are this rule's parameters (the project's own
-- values, else the defaults), which the indicators and the key market read too
-- (store/commitments.rs).
WITH data_end AS (SELECT CAST(max(accepted_at) AS DATE) AS d FROM applications),
-- For each day, the working days before it since the calendar starts: the working days from
-- a day (included) to another (excluded) are the difference of theirs.
cal AS (
    SELECT day,
           sum(CASE WHEN working THEN 1 ELSE 0 END)
               OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
           - CASE WHEN working THEN 1 ELSE 0 END AS before
    FROM work_calendar
),
a AS (
    SELECT a.application_id, a.unit_id, a.customer_id, a.customer_class, a.voltage,
           a.energised_at, a.pause_days,
           CAST(a.accepted_at AS DATE) AS start_day,
           coalesce(CAST(a.energised_at AS DATE), data_end.d) AS end_day,
           CASE WHEN a.customer_class = 'residential' THEN ${limit_residential}
                WHEN a.voltage IN ('220V', '380V') THEN ${limit_low_voltage}
                WHEN a.dual_supply THEN ${limit_dual_supply}
                ELSE ${limit_high_voltage} END AS limit_days
    FROM applications a, data_end
    WHERE a.accepted_at IS NOT NULL
),
d AS (
    SELECT a.*,
           greatest(greatest(e.before - s.before, 0) - coalesce(a.pause_days, 0), 0) AS handling_days
    FROM a
    JOIN cal s ON s.day = a.start_day
    JOIN cal e ON e.day = a.end_day
)
SELECT 'application' AS entity_type, application_id AS entity_id, unit_id,
       CAST(date_trunc('month', end_day) AS DATE) AS period,
       0.0 AS amount,
       CASE WHEN energised_at IS NULL THEN 0.8 ELSE 0.95 END AS confidence,
       customer_id, customer_class, voltage, handling_days, limit_days,
       handling_days - limit_days AS days_over,
       CASE WHEN energised_at IS NULL THEN 'still open' ELSE 'energised' END AS state
FROM d
WHERE handling_days > limit_days
