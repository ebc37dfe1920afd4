//! Records the commit MAMS is built from, for `mams --version` (and the About box): the short
//! hash of git's HEAD, or "unknown" when the sources are not a git checkout.

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
}
