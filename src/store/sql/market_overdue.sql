-- Applications not energised by the end of the month whose working days so far (less the
-- customer's pauses) exceed their time limit, in an org unit's subtree. $1: unit, $2: month.
WITH open AS (
    SELECT a.*, last_day($2::DATE) AS as_of,
           connection_limit(a.customer_class, a.voltage, a.dual_supply) AS limit_days
    FROM applications a
    WHERE a.accepted_at < $2::DATE + INTERVAL 1 MONTH
      AND (a.energised_at IS NULL OR a.energised_at >= $2::DATE + INTERVAL 1 MONTH)
      AND a.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
)
SELECT o.application_id, o.customer_id, o.unit_id, o.customer_class, o.accepted_at,
       greatest(greatest(wb.before - wa.before, 0) - coalesce(o.pause_days, 0), 0) AS days_so_far, o.limit_days
FROM open o
     JOIN working_days_before wa ON wa.day = o.accepted_at::DATE
     JOIN working_days_before wb ON wb.day = o.as_of + 1
WHERE greatest(greatest(wb.before - wa.before, 0) - coalesce(o.pause_days, 0), 0) > o.limit_days
ORDER BY days_so_far - limit_days DESC
