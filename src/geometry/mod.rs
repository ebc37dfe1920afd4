//! Plain geometry: points, boxes and polygons in degrees, and GeoJSON read and written.
//! Below both the store (which keeps boundaries and imported layers) and the map's
//! geography (`geo`), so that neither depends on the other through them.

pub mod geojson;
pub mod shape;
