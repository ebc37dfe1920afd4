-- Schema version 9: the indicator sums that split by customer class, per org unit (its own
-- rows), month and class. kpi_unit_month sums these over the classes, so a card and its
-- class breakdown always add up. Rebuilt with the other sums (kpi.rs); marked stale here.
CREATE TABLE kpi_class_month (
  unit_id VARCHAR NOT NULL,
  month DATE NOT NULL,
  -- The customer's class (the class applied for, for new connections). NULL: a ticket
  -- without a known customer.
  customer_class VARCHAR,
  customers BIGINT NOT NULL,
  n_bills BIGINT NOT NULL,
  kwh DOUBLE,
  receivable DOUBLE,
  collected DOUBLE,
  arrears DOUBLE,
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
  tickets_on_time BIGINT
);
DELETE FROM mams_meta WHERE key = 'kpi_fingerprint';
