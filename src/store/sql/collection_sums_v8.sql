-- Schema version 8: prebuilt sums of the key-market page (charges and collection, the
-- composition), per org unit (its own customers) and month, rebuilt with the indicator sums
-- (kpi.rs). The indicator sums are marked stale so that the next look at the indicators
-- builds these too.

-- Arrears at the month's end by days past due (bucket 0: 0-30, 1: 31-90, 2: 91-180,
-- 3: 181-365, 4: over 365) and the part billed in the month's year.
CREATE TABLE arrears_age_unit_month (
  unit_id VARCHAR NOT NULL,
  month DATE NOT NULL,
  bucket INTEGER NOT NULL,
  arrears DOUBLE NOT NULL,
  bills BIGINT NOT NULL,
  this_year DOUBLE NOT NULL
);

-- The bills falling due in a month: their amount.
CREATE TABLE due_unit_month (
  unit_id VARCHAR NOT NULL,
  month DATE NOT NULL,
  receivable DOUBLE NOT NULL
);

-- What was paid on the bills falling due in a month, by day of that month (0: before it).
CREATE TABLE collection_unit_day (
  unit_id VARCHAR NOT NULL,
  month DATE NOT NULL,
  day INTEGER NOT NULL,
  paid DOUBLE NOT NULL
);

DELETE FROM mams_meta WHERE key = 'kpi_fingerprint';

-- The month's billed customers and kWh by class, voltage and industry (the composition).
CREATE TABLE mix_unit_month (
  unit_id VARCHAR NOT NULL,
  month DATE NOT NULL,
  customer_class VARCHAR,
  voltage VARCHAR,
  industry_code VARCHAR,
  customers BIGINT NOT NULL,
  kwh DOUBLE
);

-- The 20 customers of each org unit (its own) with the most kWh over the 12 months up to
-- each month: the largest customers of any subtree are among those of its units.
CREATE TABLE key_candidates_unit_month (
  unit_id VARCHAR NOT NULL,
  month DATE NOT NULL,
  customer_id VARCHAR NOT NULL,
  kwh_12m DOUBLE NOT NULL
);

-- Each energised application's handling time (working days less pauses) and time limit, by
-- the month it was energised in.
CREATE TABLE handling_apps (
  unit_id VARCHAR NOT NULL,
  month DATE NOT NULL,
  customer_class VARCHAR,
  handling_days DOUBLE NOT NULL,
  limit_days DOUBLE NOT NULL
);

-- The 300 customers of each org unit (its own) with the most kWh in each month: the map's
-- key customers of any subtree are among those of its units.
CREATE TABLE month_top_unit_month (
  unit_id VARCHAR NOT NULL,
  month DATE NOT NULL,
  customer_id VARCHAR NOT NULL,
  kwh DOUBLE
);
