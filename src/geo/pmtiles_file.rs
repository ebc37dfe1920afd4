//! Checking a PMTiles file before it becomes the basemap, so that a wrong file gets a
//! message instead of a blank map: version 3 archives of raster tiles (PNG or JPEG).

use std::io::Read;
use std::path::Path;

/// The header's tile type byte (PMTiles v3 specification, offset 99).
const TILE_TYPE_OFFSET: usize = 99;
const HEADER_LEN: usize = 127;

/// Checks `path` is a PMTiles v3 archive of PNG or JPEG tiles.
pub fn check(path: &Path) -> Result<(), String> {
    let mut f = std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut header = [0u8; HEADER_LEN];
    let mut read = 0;
    while read < HEADER_LEN {
        match f.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        }
    }
    check_header(&header[..read]).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn check_header(h: &[u8]) -> Result<(), String> {
    if h.len() < HEADER_LEN || &h[..7] != b"PMTiles" {
        return Err("not a PMTiles file (it does not start with \"PMTiles\")".into());
    }
    if h[7] != 3 {
        return Err(format!(
            "PMTiles version {} is not supported; convert it to version 3 (pmtiles convert)",
            h[7]
        ));
    }
    match h[TILE_TYPE_OFFSET] {
        2 | 3 => Ok(()),
        1 => Err("it holds vector tiles (MVT); choose a raster PMTiles file (PNG or JPEG tiles)".into()),
        4 => Err("it holds WebP tiles; choose one with PNG or JPEG tiles".into()),
        t => Err(format!("its tile type {t} is not PNG or JPEG")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(version: u8, tile_type: u8) -> Vec<u8> {
        let mut h = vec![0u8; HEADER_LEN];
        h[..7].copy_from_slice(b"PMTiles");
        h[7] = version;
        h[TILE_TYPE_OFFSET] = tile_type;
        h
    }

    #[test]
    fn raster_v3_passes_and_everything_else_says_why() {
        assert_eq!(check_header(&header(3, 2)), Ok(()));
        assert_eq!(check_header(&header(3, 3)), Ok(()));
        assert!(check_header(&header(3, 1)).unwrap_err().contains("vector tiles"));
        assert!(check_header(&header(3, 4)).unwrap_err().contains("WebP"));
        assert!(check_header(&header(2, 2)).unwrap_err().contains("version 2"));
        assert!(check_header(b"PMTiles").unwrap_err().contains("not a PMTiles"));
        assert!(check_header(&[0u8; 200]).unwrap_err().contains("not a PMTiles"));
        let missing = check(Path::new("/nonexistent/x.pmtiles")).unwrap_err();
        assert!(missing.contains("cannot open"));
    }
}
