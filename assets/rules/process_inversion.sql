-- Steps of a connection out of order: energised before the completion acceptance or before
-- the meter was installed. (Bills before energising are not looked at here: a bill needs a
-- customer, which new_customer and closed_consuming judge.)
SELECT 'application' AS entity_type, a.application_id AS entity_id, a.unit_id,
       date_trunc('month', a.energised_at)::DATE AS period,
       0.0 AS amount, 0.95 AS confidence,
       a.customer_id, a.energised_at, a.completed_at, a.meter_installed_at,
       CASE WHEN a.energised_at < a.completed_at THEN 'energised before completion acceptance'
            ELSE 'energised before meter installation' END AS finding,
       round(epoch(greatest(a.completed_at, a.meter_installed_at) - a.energised_at) / 86400, 1) AS days_early
FROM applications a
WHERE a.energised_at IS NOT NULL
  AND (a.energised_at < a.completed_at - INTERVAL (${tolerance_hours}) HOUR
       OR a.energised_at < a.meter_installed_at - INTERVAL (${tolerance_hours}) HOUR)
