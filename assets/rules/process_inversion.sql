-- Steps of a connection out of order: energised before the completion acceptance or before
-- the meter was installed. (Bills before energising are not looked at here: a bill needs a
-- customer, which new_customer and closed_consuming judge.) The days early are counted from
-- the days, hours, minutes and seconds of the two moments: the portable form of a difference
-- of timestamps (docs/province-scale.md).
WITH a AS (
    SELECT application_id, unit_id, customer_id, energised_at, completed_at, meter_installed_at,
           greatest(completed_at, meter_installed_at) AS last_step
    FROM applications
    WHERE energised_at IS NOT NULL
      AND (energised_at < completed_at - ${tolerance_hours} * INTERVAL 1 HOUR
           OR energised_at < meter_installed_at - ${tolerance_hours} * INTERVAL 1 HOUR)
)
SELECT 'application' AS entity_type, application_id AS entity_id, unit_id,
       date_trunc('month', energised_at)::DATE AS period,
       0.0 AS amount, 0.95 AS confidence,
       customer_id, energised_at, completed_at, meter_installed_at,
       CASE WHEN energised_at < completed_at THEN 'energised before completion acceptance'
            ELSE 'energised before meter installation' END AS finding,
       round((CAST(CAST(last_step AS DATE) - CAST(energised_at AS DATE) AS INT) * 86400
              + (hour(last_step) - hour(energised_at)) * 3600
              + (minute(last_step) - minute(energised_at)) * 60
              + (second(last_step) - second(energised_at))) / 86400.0, 1) AS days_early
FROM a
