-- Version 22: on-site records sent from phones. A record is known by the id the phone gave it
-- (a UUID), so a record sent twice is kept once; it keeps the finding, the note, when and
-- where it was made on site, when it arrived, and the state the suspect was moved to (its
-- trail entries are in audit_trail, with the device as the actor). Its photos beside it, each
-- with its SHA-256.
CREATE TABLE handheld_records (
  record_id VARCHAR PRIMARY KEY,
  device_id BIGINT NOT NULL,
  suspect_key VARCHAR NOT NULL,
  finding VARCHAR NOT NULL,
  fp_reason VARCHAR,
  note VARCHAR,
  made_at TIMESTAMP NOT NULL,
  received_at TIMESTAMP NOT NULL,
  latitude DOUBLE,
  longitude DOUBLE,
  accuracy_m DOUBLE,
  photo_count INTEGER NOT NULL,
  to_status VARCHAR NOT NULL
);
CREATE TABLE handheld_photos (
  record_id VARCHAR NOT NULL,
  photo_no INTEGER NOT NULL,
  media_type VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (record_id, photo_no)
);
