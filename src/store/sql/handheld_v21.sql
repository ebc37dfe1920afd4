-- Version 21: phone access. The devices paired with this project: the name the user gave,
-- the SHA-256 of the token the device holds (never the token itself), the unit whose work it
-- is shown (NULL: the top unit), whether it may see personal data in full, and when it was
-- paired, by whom, last used and revoked. And every request a device made.
CREATE SEQUENCE handheld_device_seq;
CREATE TABLE handheld_devices (
  device_id BIGINT PRIMARY KEY DEFAULT nextval('handheld_device_seq'),
  name VARCHAR NOT NULL,
  token_sha256 VARCHAR NOT NULL UNIQUE,
  unit_id VARCHAR,
  sees_personal BOOLEAN NOT NULL DEFAULT false,
  paired_at TIMESTAMP NOT NULL,
  paired_by VARCHAR NOT NULL,
  last_used_at TIMESTAMP,
  revoked_at TIMESTAMP
);
CREATE SEQUENCE handheld_request_seq;
CREATE TABLE handheld_requests (
  request_id BIGINT PRIMARY KEY DEFAULT nextval('handheld_request_seq'),
  requested_at TIMESTAMP NOT NULL,
  device_id BIGINT,
  remote VARCHAR NOT NULL,
  request VARCHAR NOT NULL,
  status SMALLINT NOT NULL,
  row_count BIGINT NOT NULL
);
