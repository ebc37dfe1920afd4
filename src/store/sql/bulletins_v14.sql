-- Version 14: published bulletins. The document is kept as JSON (its numbers as published,
-- with the analyst's commentary) so it can be opened or exported again in any format; the
-- file as first exported is kept beside it; the fingerprint of the numbers tells whether
-- the data changed since.

CREATE SEQUENCE bulletin_seq START 1;

CREATE TABLE bulletins (
  bulletin_id BIGINT PRIMARY KEY,
  kind VARCHAR NOT NULL,             -- daily, weekly, monthly, quarterly, annual
  unit_id VARCHAR NOT NULL,
  period VARCHAR NOT NULL,           -- 2025-12-31, 2025-W52, 2025-06, 2025Q2, 2025
  number VARCHAR NOT NULL,           -- No. 2025-06
  lang VARCHAR NOT NULL,             -- en or zh: the language of the file
  title VARCHAR NOT NULL,
  document VARCHAR NOT NULL,         -- the document as JSON
  fingerprint VARCHAR NOT NULL,      -- SHA-256 of the document without its commentary
  as_of DATE,
  format VARCHAR NOT NULL,           -- pdf, docx or html
  file BLOB NOT NULL,
  published_at TIMESTAMP NOT NULL,
  published_by VARCHAR NOT NULL
);

-- A bulletin prepared for review (the cadence's "prepared" state): its document with the
-- commentary written so far. Publishing it removes it.
CREATE TABLE bulletin_drafts (
  kind VARCHAR NOT NULL,
  unit_id VARCHAR NOT NULL,
  period VARCHAR NOT NULL,
  document VARCHAR NOT NULL,
  prepared_at TIMESTAMP NOT NULL,
  prepared_by VARCHAR NOT NULL,
  PRIMARY KEY (kind, unit_id, period)
);

-- The project's own working cadence (assets/cadence.json's form), when it has one.
CREATE TABLE project_cadence (
  cadence VARCHAR NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
