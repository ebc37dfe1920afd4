-- Version 18: marketing risk points. The project's own risk points; the links of every risk
-- point to the rules and data quality checks that measure it (rewritten from the register
-- before each computation); the dynamic level of each risk point, org unit and month and
-- the changes of those levels; measures with their units and their append-only trail.

CREATE TABLE risk_project_points (
  risk_id VARCHAR PRIMARY KEY,
  meta VARCHAR NOT NULL,            -- the risk point as JSON, as in assets/risks/
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE risk_links (
  risk_id VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,            -- 'rule' or 'dq'
  ref VARCHAR NOT NULL              -- a rule id or a data quality check id
);

-- One row per risk point, org unit and month. Rows of a computation on their way in wait in
-- risk_levels_incoming (empty outside its transaction).
CREATE TABLE risk_levels (
  risk_id VARCHAR NOT NULL,
  unit_id VARCHAR NOT NULL,
  period DATE NOT NULL,
  customers DOUBLE NOT NULL,        -- served at the month's end
  suspects BIGINT NOT NULL,         -- of its rules, false positives left out
  confirmed BIGINT NOT NULL,
  amount DOUBLE NOT NULL,           -- yuan at stake
  affected BIGINT NOT NULL,         -- distinct entities, or failing rows of its checks
  dq_tested BIGINT NOT NULL,
  dq_failing BIGINT NOT NULL,
  rate DOUBLE,                      -- suspects per 10,000 customers
  trend DOUBLE,                     -- rate of the last months over the months before
  likelihood INTEGER NOT NULL,      -- 1 to 5
  impact INTEGER NOT NULL,          -- 1 to 5
  level INTEGER NOT NULL,           -- 1 low to 4 extreme
  provisional BOOLEAN NOT NULL,     -- a rule cannot see this month yet: the last month it can was carried forward
  computed_at TIMESTAMP NOT NULL
);

CREATE TABLE risk_levels_incoming AS SELECT * FROM risk_levels LIMIT 0;

CREATE TABLE risk_level_changes (
  risk_id VARCHAR NOT NULL,
  unit_id VARCHAR NOT NULL,
  period DATE NOT NULL,
  from_level INTEGER NOT NULL,
  to_level INTEGER NOT NULL,
  from_likelihood INTEGER NOT NULL,
  to_likelihood INTEGER NOT NULL,
  from_impact INTEGER NOT NULL,
  to_impact INTEGER NOT NULL,
  changed_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE risk_measure_seq START 1;

CREATE TABLE risk_measures (
  measure_id BIGINT PRIMARY KEY,
  risk_id VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  owner_unit VARCHAR NOT NULL,
  start_month DATE NOT NULL,        -- t0 of the evaluation
  due_on DATE NOT NULL,
  state VARCHAR NOT NULL,           -- planned, in_progress, done, cancelled
  notes VARCHAR,
  metric VARCHAR NOT NULL,          -- rule:ID, indicator:ID or dq:CHECK_ID
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

-- The units that took a measure ('treated') and the controls a user chose ('control'); with
-- no control rows the controls are chosen automatically.
CREATE TABLE risk_measure_units (
  measure_id BIGINT NOT NULL,
  unit_id VARCHAR NOT NULL,
  role VARCHAR NOT NULL
);

-- Every change of a measure. MAMS only ever appends to it.
CREATE TABLE risk_measure_trail (
  measure_id BIGINT NOT NULL,
  changed_at TIMESTAMP NOT NULL,
  actor VARCHAR NOT NULL,
  from_state VARCHAR,
  to_state VARCHAR NOT NULL,
  note VARCHAR,
  due_on DATE
);
