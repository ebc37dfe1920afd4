-- Schema version 3: targets of indicators, set by the users per org unit.

-- A unit's own target for an indicator; units without one use the target of the nearest
-- unit above them that has one, else the indicator's default (metrics/indicators.rs).
CREATE TABLE indicator_targets (
  indicator VARCHAR NOT NULL,
  unit_id VARCHAR NOT NULL,
  target DOUBLE NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (indicator, unit_id)
);
