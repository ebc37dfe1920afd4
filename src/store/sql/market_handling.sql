-- Handling time (working days from acceptance to energising, less the customer's pauses) of
-- the applications energised in the 12 months up to the month, in an org unit's subtree, with
-- the time limit of each (`connection_limit`: the commitments kept with rule expansion_overdue,
-- see store/commitments.rs). $1: unit, $2: month.
SELECT a.customer_class,
       greatest(greatest(wb.before - wa.before, 0) - coalesce(a.pause_days, 0), 0) AS handling_days,
       connection_limit(a.customer_class, a.voltage, a.dual_supply) AS limit_days
FROM applications a
     JOIN working_days_before wa ON wa.day = a.accepted_at::DATE
     JOIN working_days_before wb ON wb.day = a.energised_at::DATE
WHERE a.energised_at >= $2::DATE - INTERVAL 11 MONTH AND a.energised_at < $2::DATE + INTERVAL 1 MONTH
  AND a.accepted_at IS NOT NULL
  AND a.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
