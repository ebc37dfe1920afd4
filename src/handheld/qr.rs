//! The pairing QR code: the server's address with the one-time code, as a square of modules
//! the app paints (and the terminal prints) itself.

/// A QR code's modules, row by row (true: dark).
pub struct Qr {
    pub width: usize,
    pub dark: Vec<bool>,
}

impl Qr {
    pub fn new(text: &str) -> anyhow::Result<Qr> {
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        Ok(Qr { width, dark })
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// The code in a terminal: two rows of modules per line with half blocks, and the quiet
    /// zone the readers need around it.
    pub fn to_terminal(&self) -> String {
        const QUIET: usize = 2;
        let size = self.width + 2 * QUIET;
        let at = |x: usize, y: usize| {
            x >= QUIET
                && y >= QUIET
                && x < QUIET + self.width
                && y < QUIET + self.width
                && self.is_dark(x - QUIET, y - QUIET)
        };
        let mut out = String::new();
        for y in (0..size).step_by(2) {
            for x in 0..size {
                // Light on dark terminals reads as well: print the light modules.
                out.push(match (at(x, y), at(x, y + 1)) {
                    (false, false) => '█',
                    (false, true) => '▀',
                    (true, false) => '▄',
                    (true, true) => ' ',
                });
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pairing_link_fits_a_small_code_with_its_finder_patterns() {
        let qr = Qr::new("https://192.168.1.20:7443/#pair=ABCD2345").unwrap();
        // Version 3 (29 modules) holds 42 bytes at level M (ISO/IEC 18004 table 7).
        assert_eq!(qr.width, 29);
        // The finder pattern's dark ring and light ring at the top left (ISO/IEC 18004 6.3.3).
        assert!((0..7).all(|i| qr.is_dark(i, 0) && qr.is_dark(0, i)));
        assert!((1..6).all(|i| !qr.is_dark(i, 1)));
        assert!(qr.is_dark(2, 2) && qr.is_dark(4, 4));
    }
}
