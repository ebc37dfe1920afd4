//! The basemap under the layers: the project's own (drawn as vector layers by the canvas),
//! a raster PMTiles file of the user's, OpenStreetMap online (opt-in, cached on disk), or
//! none. Only the OpenStreetMap choice ever touches the network.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use walkers::{HttpOptions, HttpTiles, PmTiles, Tiles, sources::OpenStreetMap};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum BasemapChoice {
    /// The project's basemap layer (water, roads), drawn as vectors; works offline.
    #[default]
    Project,
    /// A raster PMTiles file.
    PmTiles(PathBuf),
    /// OpenStreetMap's tile servers (needs the network; tiles are cached on disk).
    OpenStreetMap,
    None,
}

/// Tiles of the chosen basemap, opened for the choice they were opened for.
pub struct OpenTiles {
    pub choice: BasemapChoice,
    pub tiles: Option<Box<dyn Tiles>>,
    pub error: Option<String>,
}

/// Where OpenStreetMap tiles are cached.
fn osm_cache() -> PathBuf {
    crate::paths::cache_dir().join("osm-tiles")
}

pub fn open(choice: &BasemapChoice, ctx: &egui::Context) -> OpenTiles {
    let (tiles, error): (Option<Box<dyn Tiles>>, Option<String>) = match choice {
        BasemapChoice::Project | BasemapChoice::None => (None, None),
        BasemapChoice::PmTiles(path) => match crate::geo::pmtiles_file::check(path) {
            Ok(()) => (Some(Box::new(PmTiles::new(path, ctx.clone()))), None),
            Err(e) => (None, Some(e)),
        },
        BasemapChoice::OpenStreetMap => {
            // reqwest's TLS needs a crypto provider; ring is the one built in.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let options = HttpOptions {
                cache: Some(osm_cache()),
                ..Default::default()
            };
            (
                Some(Box::new(HttpTiles::with_options(
                    OpenStreetMap,
                    options,
                    ctx.clone(),
                ))),
                None,
            )
        }
    };
    OpenTiles {
        choice: choice.clone(),
        tiles,
        error,
    }
}
