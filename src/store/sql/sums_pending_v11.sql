-- What imports changed since the prebuilt sums were last built: per org unit (NULL: every
-- unit), the first month whose sums it changed (NULL: every month). The next rebuild
-- redoes only those units from those months (kpi.rs) and empties the table.
CREATE TABLE sums_pending (
  unit_id VARCHAR,
  from_month DATE
);

-- The bills not paid in full by the end of the month they fall due in, with their
-- customer's unit and class and the month they were paid off in (NULL: still owing): the
-- only bills that can owe at a later month's end. Kept by the sums rebuild
-- (collection_rebuild.sql), so that a rebuild of a few units or months does not pair every
-- bill with its payments again.
CREATE TABLE late_bills (
  bill_id VARCHAR NOT NULL,
  unit_id VARCHAR NOT NULL,
  customer_class VARCHAR,
  amount DOUBLE NOT NULL,
  due_on DATE NOT NULL,
  billing_month DATE NOT NULL,
  paid_off_month DATE
);
DELETE FROM mams_meta WHERE key = 'kpi_fingerprint';
