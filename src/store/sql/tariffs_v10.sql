-- Version 10: the tariff catalogue (see model.rs, TARIFFS), empty until a catalogue is
-- imported (the sample extracts carry theirs).
CREATE TABLE tariffs (
  tariff_code VARCHAR NOT NULL,
  customer_class VARCHAR NOT NULL,
  industry_prefix VARCHAR,
  price DOUBLE NOT NULL,
  basic_price DOUBLE,
  usual BOOLEAN
);
