-- Schema version 4: prebuilt sums of the indicators.

-- The sums behind the indicators per org unit (its own rows, not its subtree) and month,
-- built from the data tables when the indicators are first asked for after the data
-- changed (kpi.rs: `mams_meta.kpi_fingerprint` says for which data). A unit's subtree is
-- then a sum over a few hundred rows instead of a scan of millions of bills.
CREATE TABLE kpi_unit_month (
  unit_id VARCHAR NOT NULL,
  month DATE NOT NULL,
  customers BIGINT NOT NULL,
  n_bills BIGINT NOT NULL,
  kwh DOUBLE,
  receivable DOUBLE,
  collected DOUBLE,
  arrears DOUBLE,
  n_loss BIGINT NOT NULL,
  supplied DOUBLE,
  sold DOUBLE,
  connections BIGINT NOT NULL,
  connection_days DOUBLE,
  connections_over_limit BIGINT,
  n_tickets BIGINT NOT NULL,
  complaints BIGINT,
  repairs_arrived BIGINT,
  repair_arrival_minutes DOUBLE,
  satisfied BIGINT,
  callbacks BIGINT,
  tickets_due BIGINT,
  tickets_on_time BIGINT,
  n_outages BIGINT NOT NULL,
  interruptions DOUBLE,
  customer_minutes DOUBLE,
  customer_minutes_rs3 DOUBLE
);
