//! What this build of MAMS is: its version, the commit it was built from and the DuckDB it
//! bundles, for `mams --version` and the About box.

/// "0.1.0 (commit 1a2b3c4d5e6f, DuckDB v1.2.0)".
pub fn line() -> &'static str {
    static LINE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LINE.get_or_init(|| {
        format!(
            "{} (commit {}, DuckDB {})",
            env!("CARGO_PKG_VERSION"),
            env!("MAMS_COMMIT"),
            duckdb_version()
        )
    })
}

/// The version of the bundled DuckDB library, as it reports itself.
pub fn duckdb_version() -> String {
    // SAFETY: duckdb_library_version returns a pointer to a static NUL-terminated string.
    let ptr = unsafe { duckdb::ffi::duckdb_library_version() };
    if ptr.is_null() {
        return "unknown".into();
    }
    unsafe { std::ffi::CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_names_the_commit_and_duckdb() {
        let l = super::line();
        assert!(l.starts_with(env!("CARGO_PKG_VERSION")), "{l}");
        assert!(l.contains("commit ") && l.contains("DuckDB v"), "{l}");
    }
}
