-- Connection applications accepted in the 12 months up to the month, in an org unit's
-- subtree, and how many of them reached each step. $1: unit, $2: month.
SELECT count(*) AS accepted,
       count(surveyed_at) AS surveyed,
       count(plan_at) AS plan,
       count(design_reviewed_at) AS design_reviewed,
       count(mid_checked_at) AS mid_checked,
       count(completed_at) AS completed,
       count(meter_installed_at) AS meter_installed,
       count(energised_at) AS energised
FROM applications
WHERE accepted_at >= $2::DATE - INTERVAL 11 MONTH AND accepted_at < $2::DATE + INTERVAL 1 MONTH
  AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
