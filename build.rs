//! Records the commit MAMS is built from, for `mams --version` (and the About box): the short
//! hash of git's HEAD, or "unknown" when the sources are not a git checkout. Compiles the
//! crypto module MAMS gives its DuckDB (src/store/os_random_crypto.cpp) against the headers of
//! the bundled DuckDB, which libduckdb-sys publishes as DEP_DUCKDB_INCLUDE.

fn main() {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=MAMS_COMMIT={commit}");
    // Only when HEAD moves (a commit, a checkout), not on every edit of the sources.
    for p in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
        println!("cargo:rerun-if-changed={p}");
    }
    crypto_module();
}

fn crypto_module() {
    let source = "src/store/os_random_crypto.cpp";
    println!("cargo:rerun-if-changed={source}");
    let include = std::path::PathBuf::from(
        std::env::var("DEP_DUCKDB_INCLUDE")
            .expect("libduckdb-sys publishes its include folder (bundled build)"),
    );
    // .../duckdb/src/include → .../duckdb
    let root = include.join("../..");
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .file(source)
        .include(&include)
        .include(root.join("third_party/mbedtls/include"))
        .include(root.join("third_party/mbedtls"))
        .flag_if_supported("-std=c++17")
        .flag_if_supported("/std:c++17")
        .flag_if_supported("/EHsc")
        .warnings(false)
        .flag_if_supported("-w");
    // The same build type as the bundled DuckDB (libduckdb-sys: DEBUG or NDEBUG), so the
    // classes this file derives from have the same layout.
    let debug = std::env::var("DEBUG").is_ok_and(|v| v != "false" && v != "0");
    build.define(if debug { "DEBUG" } else { "NDEBUG" }, None);
    if std::env::var("CARGO_CFG_WINDOWS").is_ok() {
        build.define("DUCKDB_BUILD_LIBRARY", None);
        println!("cargo:rustc-link-lib=bcrypt");
    }
    build.compile("mams_crypto");
}
