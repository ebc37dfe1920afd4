-- Handling time of a connection application over the commitment for its class, in working
-- days (Monday to Friday) from acceptance to energising, less the customer's pauses. An
-- application still open counts to the day the data ends. The limits are this rule's
-- parameters (the project's own values, else the defaults), which the indicators and the key
-- market use too: all read them through connection_limit (store/commitments.rs).
WITH data_end AS (SELECT max(accepted_at)::DATE AS d FROM applications),
a AS (
    SELECT a.*,
           connection_limit(a.customer_class, a.voltage, a.dual_supply) AS limit_days,
           coalesce(a.energised_at::DATE, (SELECT d FROM data_end)) AS end_day
    FROM applications a WHERE a.accepted_at IS NOT NULL
),
d AS (
    SELECT a.*, greatest(w.days - coalesce(a.pause_days, 0), 0) AS handling_days
    FROM a, LATERAL (SELECT count(*) AS days FROM range(a.accepted_at::DATE, a.end_day, INTERVAL 1 DAY) t(x)
                     WHERE isodow(x) <= 5) w
)
SELECT 'application' AS entity_type, application_id AS entity_id, unit_id,
       date_trunc('month', end_day)::DATE AS period,
       0.0 AS amount,
       CASE WHEN energised_at IS NULL THEN 0.8 ELSE 0.95 END AS confidence,
       customer_id, customer_class, voltage, handling_days, limit_days,
       handling_days - limit_days AS days_over,
       CASE WHEN energised_at IS NULL THEN 'still open' ELSE 'energised' END AS state
FROM d
WHERE handling_days > limit_days
