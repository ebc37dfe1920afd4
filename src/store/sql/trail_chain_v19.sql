-- Version 19: the audit trail is tamper-evident. Each entry carries its place in the chain and
-- the SHA-256 of its content and of the entry before it (`audit::chain`). Entries written
-- before version 19 are chained, in the order they were written, by the first change after
-- the upgrade.
ALTER TABLE audit_trail ADD COLUMN seq BIGINT;
ALTER TABLE audit_trail ADD COLUMN hash VARCHAR;
