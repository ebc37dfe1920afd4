//! Geography without a window: the map of a scope read from the project, the Web Mercator
//! maths, class breaks for indicator maps, clustering and label placement. The map page
//! draws with these. Shapes and GeoJSON are in `geometry`, below the store.

pub mod classify;
pub mod cluster;
pub mod labels;
pub mod mercator;
pub mod pmtiles_file;
pub mod scene;
pub mod world;
