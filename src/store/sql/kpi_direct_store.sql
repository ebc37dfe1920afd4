-- The session's store of indicator sums computed from the data tables (kpi_direct.rs), for a
-- project whose prebuilt sums are not current and cannot be rebuilt: temporary tables of
-- the connection, gone when the project is closed.
-- What the data was when the store was filled (kpi.rs's fingerprint of the sums).
CREATE TEMP TABLE IF NOT EXISTS kpi_direct_data (fingerprint VARCHAR NOT NULL);
-- The rows of kpi_unit_month_direct.sql, in its order.
CREATE TEMP TABLE IF NOT EXISTS kpi_direct_unit_month (
  unit_id VARCHAR NOT NULL,
  month DATE NOT NULL,
  customers BIGINT NOT NULL,
  kwh DOUBLE,
  receivable DOUBLE,
  collected DOUBLE,
  arrears DOUBLE,
  supplied DOUBLE,
  sold DOUBLE,
  connections DOUBLE,
  connection_days DOUBLE,
  connections_over_limit DOUBLE,
  complaints DOUBLE,
  repairs_arrived DOUBLE,
  repair_arrival_minutes DOUBLE,
  satisfied DOUBLE,
  callbacks DOUBLE,
  tickets_due DOUBLE,
  tickets_on_time DOUBLE,
  interruptions DOUBLE,
  customer_minutes DOUBLE,
  customer_minutes_rs3 DOUBLE
);
-- The units and months computed (a unit may have no row in a month computed).
CREATE TEMP TABLE IF NOT EXISTS kpi_direct_done (unit_id VARCHAR NOT NULL, month DATE NOT NULL);
-- Which months each source table covers anywhere in the project: there, a unit without
-- rows has zero (no complaints), elsewhere it has no data.
CREATE TEMP TABLE IF NOT EXISTS kpi_direct_coverage (
  month DATE NOT NULL,
  has_bills BOOLEAN NOT NULL,
  has_loss BOOLEAN NOT NULL,
  has_connections BOOLEAN NOT NULL,
  has_tickets BOOLEAN NOT NULL,
  has_outages BOOLEAN NOT NULL
);
