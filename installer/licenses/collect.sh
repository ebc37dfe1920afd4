#!/usr/bin/env bash
# Collects the licences of everything MAMS bundles into assets/licenses/ (shown in Help >
# About, installed with the packages):
#   third-party.txt  the Rust crates of the binary, by cargo-about (build and dev
#                    dependencies left out); fails on a licence about.toml does not accept.
#   fonts.txt        the fonts: Noto Sans CJK SC (assets/fonts/) and egui's own fonts (from
#                    the epaint_default_fonts crate in Cargo.lock).
# Run after a dependency changes (a test in src/ui/about.rs says when it is needed):
#   cargo install --locked cargo-about --features cli   # once
#   installer/licenses/collect.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=assets/licenses
mkdir -p "$out"

# FONTS_ONLY=1 leaves the crates' file alone (cargo-about takes about 4 minutes).
if [[ -z "${FONTS_ONLY:-}" ]]; then
  cargo about generate --locked -c installer/licenses/about.toml installer/licenses/about.hbs -o "$out/third-party.txt.new"
  mv "$out/third-party.txt.new" "$out/third-party.txt"
fi

fonts=$(cargo metadata --format-version 1 --locked \
  | python3 -c 'import json,sys; m=json.load(sys.stdin); print(next(p["manifest_path"] for p in m["packages"] if p["name"]=="epaint_default_fonts").rsplit("/",1)[0] + "/fonts")')
rule="================================================================================"
thin="--------------------------------------------------------------------------------"
section() { # heading, used by, file
  printf '%s\n%s\nUsed by: %s\n%s\n' "$rule" "$1" "$2" "$thin"
  cat "$3"
  printf '\n\n'
}
{
  echo "MAMS bundles the following fonts. Their licences:"
  echo
  section "SIL Open Font License 1.1 (OFL-1.1)" "Noto Sans CJK SC (subset, Regular and Bold: MAMS's Chinese text and every document it writes), copyright 2014-2021 Adobe, with Reserved Font Name 'Source', and Google" assets/fonts/OFL.txt
  section "SIL Open Font License 1.1 (OFL-1.1)" "Noto Emoji (egui's emoji font)" "$fonts/OFL.txt"
  section "Ubuntu Font Licence 1.0 (Ubuntu-font-1.0)" "Ubuntu Light (egui's text font)" "$fonts/UFL.txt"
  section "MIT and Bitstream Vera License" "Hack Regular (egui's monospace font)" "$fonts/Hack-Regular.txt"
  section "MIT License (MIT)" "emoji-icon-font and egui-icons (egui's icons)" "$fonts/emoji-icon-font-mit-license.txt"
} > "$out/fonts.txt"
echo "wrote $out/third-party.txt ($(grep -c '^Used by:' "$out/third-party.txt") licences) and $out/fonts.txt"
