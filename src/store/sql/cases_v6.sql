-- Schema version 6: the case library. Cases are confirmed problems worth learning from,
-- written up by auditors (or promoted from a suspect), shared between units as JSON or XLSX.

CREATE TABLE audit_cases (
  case_id VARCHAR PRIMARY KEY,       -- stable across projects: merges use it
  title VARCHAR NOT NULL,
  title_en VARCHAR,
  rule_id VARCHAR,                   -- the theme (rule id), if any
  symptoms VARCHAR,
  found_how VARCHAR,
  root_cause VARCHAR,
  handling VARCHAR,
  outcome VARCHAR,
  amount DOUBLE,                     -- yuan involved or recovered
  tags VARCHAR,                      -- comma-separated
  unit_id VARCHAR,
  case_date DATE,
  features VARCHAR,                  -- evidence as JSON [[name, value], ...], for similarity
  suspect_key VARCHAR,               -- the suspect it was promoted from
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_case_files (
  case_id VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  content BLOB NOT NULL,
  added_at TIMESTAMP NOT NULL,
  PRIMARY KEY (case_id, file_name)
);
