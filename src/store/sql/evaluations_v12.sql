-- Version 12: evaluation and benchmarking. Published evaluations are immutable (MAMS only
-- ever inserts them) and keep the index system exactly as used; a project's own index
-- systems; improvement items raised by an evaluation; peer groups; external peer figures.

CREATE SEQUENCE evaluation_seq START 1;

CREATE TABLE evaluations (
  evaluation_id BIGINT PRIMARY KEY,
  system_name VARCHAR NOT NULL,
  system_year INTEGER NOT NULL,
  system_json VARCHAR NOT NULL,     -- the index system as used
  period VARCHAR NOT NULL,          -- 2025-06, 2025Q2 or 2025
  scope_unit VARCHAR NOT NULL,      -- the units one level below it were evaluated
  fingerprint VARCHAR NOT NULL,     -- SHA-256 of every input value
  result_json VARCHAR NOT NULL,     -- units with values, scores, totals, grades, ranks
  published_at TIMESTAMP NOT NULL,
  published_by VARCHAR NOT NULL,
  UNIQUE (system_name, system_year, period, scope_unit)
);

CREATE TABLE evaluation_systems (
  system_name VARCHAR NOT NULL,
  system_year INTEGER NOT NULL,
  system_json VARCHAR NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (system_name, system_year)
);

CREATE SEQUENCE improvement_seq START 1;

CREATE TABLE improvement_items (
  item_id BIGINT PRIMARY KEY,
  evaluation_id BIGINT NOT NULL,    -- the published evaluation that raised it
  unit_id VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,          -- "grade C", "collection_rate below its floor"
  owner_unit VARCHAR NOT NULL,
  due_on DATE NOT NULL,
  measures VARCHAR,
  note VARCHAR,
  state VARCHAR NOT NULL,           -- open or done
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE peer_groups (
  group_name VARCHAR NOT NULL,
  unit_id VARCHAR NOT NULL,
  PRIMARY KEY (group_name, unit_id)
);

CREATE TABLE benchmark_peers (
  peer VARCHAR NOT NULL,            -- another province or company
  period VARCHAR NOT NULL,          -- 2025-06, 2025Q2 or 2025
  indicator VARCHAR NOT NULL,       -- an indicator id of MAMS
  value DOUBLE NOT NULL,
  source VARCHAR,                   -- the file it came from
  imported_at TIMESTAMP NOT NULL,
  PRIMARY KEY (peer, period, indicator)
);
