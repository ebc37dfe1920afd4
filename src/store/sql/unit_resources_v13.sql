-- Version 13: the resources of units per year (see model.rs, UNIT_RESOURCES), the inputs
-- of DEA; empty until imported (the sample extracts carry theirs).
CREATE TABLE unit_resources (
  unit_id VARCHAR NOT NULL,
  year BIGINT NOT NULL,
  staff DOUBLE,
  service_halls DOUBLE,
  repair_vehicles DOUBLE,
  operating_cost DOUBLE,
  network_km DOUBLE,
  transformers DOUBLE
);
