-- Version 17: the monthly figures of the monthly extracts the data quality warnings watch
-- (rows, sums, shares of nulls and zeros), kept so that a run after an import reads only the
-- months it brought.
CREATE TABLE dq_figures (
  table_name VARCHAR NOT NULL,
  month DATE NOT NULL,
  metric VARCHAR NOT NULL,
  value DOUBLE
);
