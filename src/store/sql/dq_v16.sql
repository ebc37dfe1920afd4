-- Schema version 16: data quality. Runs of the checks, their counts per check, org unit and
-- month, the keys of failing rows (capped), the project's own checks and values, the
-- worklist with its append-only trail, acknowledged warnings, and what imports changed
-- since the last run.

CREATE SEQUENCE dq_run_seq START 1;

CREATE TABLE dq_runs (
  run_id BIGINT PRIMARY KEY,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP NOT NULL,
  trigger VARCHAR NOT NULL,         -- 'import', 'hand' or 'cli'
  scope VARCHAR NOT NULL,           -- 'full' or what an incremental run redid
  checks BIGINT NOT NULL,           -- checks evaluated
  settings VARCHAR NOT NULL,        -- fingerprint of the checks and values in effect
  errors VARCHAR                    -- checks that failed to run, with their message
);

-- Rows tested and failing, per run, check, org unit (NULL: project-wide reference data) and
-- month (NULL: a standing archive). Both counts, so scores follow a change of weights.
CREATE TABLE dq_results (
  run_id BIGINT NOT NULL,
  check_id VARCHAR NOT NULL,
  unit_id VARCHAR,
  month DATE,
  tested BIGINT NOT NULL,
  failing BIGINT NOT NULL
);

-- The first failing rows of each check in a run: their key and the values at fault (JSON).
CREATE TABLE dq_failing (
  run_id BIGINT NOT NULL,
  check_id VARCHAR NOT NULL,
  unit_id VARCHAR,
  month DATE,
  row_key VARCHAR NOT NULL,
  vals VARCHAR NOT NULL
);

-- The project's values of a check's parameters, weight and threshold, and checks turned off.
CREATE TABLE dq_settings (
  check_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,            -- a parameter, or 'weight', 'threshold', 'enabled'
  value DOUBLE NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (check_id, name)
);

CREATE TABLE dq_project_checks (
  check_id VARCHAR PRIMARY KEY,
  meta VARCHAR NOT NULL,            -- the check as JSON, as in assets/dq/
  updated_at TIMESTAMP NOT NULL
);

-- One worklist item per failing check and org unit.
CREATE TABLE dq_items (
  item_key VARCHAR PRIMARY KEY,     -- check_id|unit_id
  check_id VARCHAR NOT NULL,
  unit_id VARCHAR,
  status VARCHAR NOT NULL,
  owner VARCHAR,
  due_on DATE,
  failing BIGINT NOT NULL,          -- in the last run
  first_run_id BIGINT NOT NULL,
  last_run_id BIGINT NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

-- Every change of an item's state, owner or due date. MAMS only ever appends to it.
CREATE TABLE dq_trail (
  item_key VARCHAR NOT NULL,
  changed_at TIMESTAMP NOT NULL,
  actor VARCHAR NOT NULL,
  from_status VARCHAR,
  to_status VARCHAR NOT NULL,
  note VARCHAR,
  owner VARCHAR,
  due_on DATE
);

-- Warnings of each run. An acknowledged one keeps its month out of later baselines.
CREATE TABLE dq_warnings (
  run_id BIGINT NOT NULL,
  warning_key VARCHAR NOT NULL,     -- kind|subject|month: the same warning in later runs
  kind VARCHAR NOT NULL,            -- below_threshold, score_drop, stale, out_of_band
  check_id VARCHAR,
  table_name VARCHAR,
  unit_id VARCHAR,
  month DATE,
  metric VARCHAR,
  value DOUBLE,
  expected DOUBLE,
  message_en VARCHAR NOT NULL,
  message_zh VARCHAR NOT NULL
);

CREATE TABLE dq_acknowledged (
  warning_key VARCHAR PRIMARY KEY,
  acknowledged_at TIMESTAMP NOT NULL,
  actor VARCHAR NOT NULL,
  note VARCHAR
);

-- What imports changed since the last run: per table, the first month (NULL: all).
CREATE TABLE dq_pending (
  table_name VARCHAR NOT NULL,
  from_month DATE
);
