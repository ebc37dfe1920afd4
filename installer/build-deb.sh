#!/usr/bin/env bash
# Builds the Debian package: $CARGO_TARGET_DIR/debian/mams_<version>-1_<arch>.deb (or
# target/debian/...). The package's contents and dependencies are [package.metadata.deb] in
# Cargo.toml. Needs cargo-deb (installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-deb >/dev/null; then
  cargo install --locked cargo-deb
fi
cargo deb --locked "$@"
