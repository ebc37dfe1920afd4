-- Known suspects found again get the new evidence; their triage state stays.
-- $1: the run id.
UPDATE audit_suspects AS s
SET period = i.period, unit_id = i.unit_id, amount = i.amount, confidence = i.confidence,
    severity = i.severity, score = i.score, evidence = i.evidence,
    last_run_id = $1, still_found = true
FROM audit_incoming AS i
WHERE s.suspect_key = i.suspect_key
