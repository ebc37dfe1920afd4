//! The fonts MAMS carries (assets/fonts/README.md): a subset of Noto Sans CJK SC in Regular
//! and Bold, for the app's Chinese text on machines without a CJK font and for every
//! document it writes (PDF, charts), so a bulletin looks the same everywhere.

pub const REGULAR: &[u8] = include_bytes!("../assets/fonts/NotoSansSC-Subset.otf");
pub const BOLD: &[u8] = include_bytes!("../assets/fonts/NotoSansSC-Bold-Subset.otf");

/// The family name both fonts carry (name ID 1).
pub const FAMILY: &str = "Noto Sans CJK SC";
