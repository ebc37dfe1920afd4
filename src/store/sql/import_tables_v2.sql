-- Schema version 2: what file imports keep (rejected rows, saved column mappings).

-- Rows an import refused, with where and why; kept with the import record.
CREATE TABLE import_rejects (
  import_id BIGINT NOT NULL,
  file_name VARCHAR NOT NULL,
  row_number BIGINT,              -- data row in the file, 1 = first row after the header
  column_name VARCHAR,            -- the source column, when one column is at fault
  value VARCHAR,
  reason VARCHAR NOT NULL,        -- a reason code, see docs/importing.md
  detail VARCHAR NOT NULL
);

-- Named column mappings, reused for next month's file of the same shape.
CREATE TABLE import_profiles (
  name VARCHAR PRIMARY KEY,
  table_name VARCHAR NOT NULL,
  mapping_json VARCHAR NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
