-- Schema version 7: the map's own layers. The basemap (water, rivers, roads, places) and
-- point layers imported from GeoJSON, one row per feature; the boundaries of org units
-- stay in org_units.boundary.

CREATE TABLE map_layers (
  layer VARCHAR PRIMARY KEY,       -- 'basemap', or the name given to an imported layer
  source_file VARCHAR,
  match_kind VARCHAR,              -- 'unit', 'customer' or NULL: what features were matched to
  match_property VARCHAR,          -- the feature property holding the id or name matched
  imported_at TIMESTAMP NOT NULL
);

CREATE TABLE map_features (
  layer VARCHAR NOT NULL,
  feature_no INTEGER NOT NULL,     -- place in the file it came from, from 1
  kind VARCHAR,                    -- basemap: water, river, road, place; else the geometry kind
  name VARCHAR,
  geometry VARCHAR NOT NULL,       -- a GeoJSON geometry, WGS 84
  matched_id VARCHAR,              -- the org unit or customer it was matched to
  properties VARCHAR,              -- the feature's properties as JSON
  PRIMARY KEY (layer, feature_no)
);
