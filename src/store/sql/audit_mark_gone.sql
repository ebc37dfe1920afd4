-- Suspects of the rules just run, inside the run's months and org unit, that the run did not
-- find again: the problem no longer shows in the data. Their triage state stays.
-- $1: run id, $2: comma-separated rule ids, $3: first month, $4: last month, $5: org unit.
UPDATE audit_suspects SET still_found = false
WHERE last_run_id <> $1
  AND list_contains(string_split($2, ','), rule_id)
  AND (period IS NULL OR period BETWEEN $3 AND $4)
  AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $5)
