-- Suspects not known before start as 'new'. $1: the run id, $2: now.
INSERT INTO audit_suspects
SELECT i.suspect_key, i.rule_id, i.entity_type, i.entity_id, i.period, i.unit_id, i.amount,
       i.confidence, i.severity, i.score, i.evidence, $1, $1, true, 'new', NULL, NULL, NULL,
       NULL, $2
FROM audit_incoming AS i
WHERE i.suspect_key NOT IN (SELECT suspect_key FROM audit_suspects)
