-- Schema version 5: the audit. Runs of the rules, the suspects they found with their triage
-- state, the append-only audit trail of every change of state, the project's own parameter
-- values and its own rules.

CREATE SEQUENCE audit_run_seq START 1;

CREATE TABLE audit_runs (
  run_id BIGINT PRIMARY KEY,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP NOT NULL,
  period_from DATE NOT NULL,
  period_to DATE NOT NULL,
  unit_id VARCHAR NOT NULL,
  rules VARCHAR NOT NULL,          -- ids run, comma-separated
  suspects BIGINT NOT NULL,        -- found by this run
  new_suspects BIGINT NOT NULL,    -- of which not known before
  errors VARCHAR                   -- rules that failed, with their message
);

-- One suspect per rule, entity and month (no month for a standing state such as an
-- archive error). A re-run updates the evidence and never the triage columns.
CREATE TABLE audit_suspects (
  suspect_key VARCHAR PRIMARY KEY,  -- rule_id|entity_type|entity_id|YYYY-MM or *
  rule_id VARCHAR NOT NULL,
  entity_type VARCHAR NOT NULL,
  entity_id VARCHAR NOT NULL,
  period DATE,
  unit_id VARCHAR,
  amount DOUBLE NOT NULL,           -- yuan at stake
  confidence DOUBLE NOT NULL,       -- 0 to 1
  severity INTEGER NOT NULL,        -- 1 to 3
  score DOUBLE NOT NULL,            -- severity x confidence x log10(10 + amount)
  evidence VARCHAR NOT NULL,        -- JSON array of [name, value] pairs, in query order
  first_run_id BIGINT NOT NULL,
  last_run_id BIGINT NOT NULL,
  still_found BOOLEAN NOT NULL,     -- false once a later run over its scope no longer finds it
  status VARCHAR NOT NULL,
  assignee_unit VARCHAR,
  due_on DATE,
  recovered DOUBLE,
  fp_reason VARCHAR,
  updated_at TIMESTAMP NOT NULL
);

-- Rows of a run on their way into audit_suspects; empty outside a run's transaction.
CREATE TABLE audit_incoming (
  suspect_key VARCHAR NOT NULL,
  rule_id VARCHAR NOT NULL,
  entity_type VARCHAR NOT NULL,
  entity_id VARCHAR NOT NULL,
  period DATE,
  unit_id VARCHAR,
  amount DOUBLE NOT NULL,
  confidence DOUBLE NOT NULL,
  severity INTEGER NOT NULL,
  score DOUBLE NOT NULL,
  evidence VARCHAR NOT NULL
);

-- Every change of a suspect's state or assignment. MAMS only ever appends to it.
CREATE TABLE audit_trail (
  suspect_key VARCHAR NOT NULL,
  changed_at TIMESTAMP NOT NULL,
  actor VARCHAR NOT NULL,
  from_status VARCHAR,
  to_status VARCHAR NOT NULL,
  note VARCHAR,
  assignee_unit VARCHAR,
  due_on DATE,
  recovered DOUBLE,
  fp_reason VARCHAR
);

CREATE TABLE rule_params (
  rule_id VARCHAR NOT NULL,
  param VARCHAR NOT NULL,
  value DOUBLE NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (rule_id, param)
);

CREATE TABLE project_rules (
  rule_id VARCHAR PRIMARY KEY,
  meta VARCHAR NOT NULL,            -- the metadata JSON, as in assets/rules/ID.json
  query VARCHAR NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
