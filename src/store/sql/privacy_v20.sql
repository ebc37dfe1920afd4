-- Version 20: personal data. The customer archive may carry the bank account charges are
-- debited from and a contact person (both personal, masked on the way out), and the project
-- keeps an access log: every time personal data left MAMS in full, by the user's explicit
-- choice (who, when, by which path, what, which columns, how many rows).
ALTER TABLE customers ADD COLUMN bank_account VARCHAR;
ALTER TABLE customers ADD COLUMN contact_person VARCHAR;
CREATE SEQUENCE access_log_seq;
CREATE TABLE access_log (
  entry_id BIGINT PRIMARY KEY DEFAULT nextval('access_log_seq'),
  logged_at TIMESTAMP NOT NULL,
  actor VARCHAR NOT NULL,
  channel VARCHAR NOT NULL,
  what VARCHAR NOT NULL,
  personal_columns VARCHAR NOT NULL,
  row_count BIGINT NOT NULL
);
