-- What MAMS records for itself in a project (schema version 1).

-- Identifies the file as a MAMS project and holds its schema version.
CREATE TABLE mams_meta (
  key VARCHAR PRIMARY KEY,
  value VARCHAR NOT NULL
);
INSERT INTO mams_meta VALUES ('app', 'MAMS');

-- Labels of every coded column, in English and Chinese.
CREATE TABLE code_lists (
  list VARCHAR NOT NULL,
  code VARCHAR NOT NULL,
  label_en VARCHAR NOT NULL,
  label_zh VARCHAR NOT NULL,
  sort INTEGER NOT NULL,
  PRIMARY KEY (list, code)
);

-- One row per file loaded into the project.
CREATE TABLE imports (
  import_id BIGINT NOT NULL,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP NOT NULL,
  kind VARCHAR NOT NULL,          -- 'folder' (a manifest folder) or 'file'
  source VARCHAR NOT NULL,        -- the folder or file as the user named it
  table_name VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  file_size BIGINT NOT NULL,
  sha256 VARCHAR NOT NULL,
  profile VARCHAR,
  rows_in BIGINT NOT NULL,
  rows_stored BIGINT NOT NULL,
  rows_rejected BIGINT NOT NULL,
  mams_version VARCHAR NOT NULL
);

-- Every (ancestor, descendant) pair of the org hierarchy, a unit being its own ancestor
-- at depth 0; rebuilt whenever org_units changes. Scoping to a unit's subtree is a join.
CREATE TABLE org_closure (
  ancestor_id VARCHAR NOT NULL,
  unit_id VARCHAR NOT NULL,
  depth INTEGER NOT NULL
);
