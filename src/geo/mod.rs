//! Geography without a window: shapes, GeoJSON, the Web Mercator maths, class breaks for
//! indicator maps, clustering and label placement. The map page draws with these; the
//! store and the CLI import boundaries and point layers with them.

pub mod classify;
pub mod cluster;
pub mod geojson;
pub mod labels;
pub mod mercator;
pub mod pmtiles_file;
pub mod scene;
pub mod shape;
pub mod world;
