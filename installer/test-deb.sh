#!/usr/bin/env bash
# Installs the Debian package into a clean Debian root and uses it there, as an IT department
# would: the declared dependencies must be enough, the installed files must work without the
# source tree, and removing the package must leave nothing outside the user's own folders.
#
#   installer/test-deb.sh [PACKAGE.deb]     (default: build it with installer/build-deb.sh)
#
# Needs root (chroot, mount), debootstrap and a Debian mirror (apt's own). Prints a line per
# step; exits non-zero at the first failure. The root is kept in $ROOT (default
# /tmp/mams-deb-root) and reused by the next run (a fresh one: ROOT_FRESH=1).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${ROOT:-/tmp/mams-deb-root}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
deb=${1:-}
if [[ -z "$deb" ]]; then
  installer/build-deb.sh >&2
  deb=$(ls -t "${CARGO_TARGET_DIR:-target}"/debian/mams_*.deb | head -1)
fi
echo "package: $deb ($(du -h "$deb" | cut -f1))"

step() { echo "== $*"; }
in_root() { chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
cleanup() {
  for m in proc dev/pts dev; do umount -l "$ROOT/$m" 2>/dev/null || true; done
}
trap cleanup EXIT

if [[ -n "${ROOT_FRESH:-}" || ! -x "$ROOT/usr/bin/apt-get" ]]; then
  step "debootstrap $SUITE into $ROOT"
  rm -rf "$ROOT"
  debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >/dev/null
fi
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

step "the test's own tools (Xvfb, xwininfo, xwd), before the package"
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends xvfb xauth x11-utils x11-apps >/dev/null

# What the system holds before: files outside the user's folders and the package system's
# own records.
snapshot() {
  in_root find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /root \
    -o -path /var/lib/apt -o -path /var/lib/dpkg -o -path /var/cache -o -path /var/log \
    -o -path /run \) -prune -o -print | sort
}
snapshot > /tmp/mams-deb-before.txt

step "install with apt (dependencies from the mirror, as declared)"
cp "$deb" "$ROOT/tmp/mams.deb"
in_root apt-get install -y -qq --no-install-recommends /tmp/mams.deb >/dev/null
in_root dpkg -L mams > /tmp/mams-deb-files.txt
echo "installed $(wc -l < /tmp/mams-deb-files.txt) paths"

step "mams --version"
in_root mams --version

step "the sample project from the installed files"
rm -f "$ROOT/root/sample.duckdb"
in_root mams import /root/sample.duckdb /usr/share/mams/sample-db | tail -2
in_root mams info /root/sample.duckdb | head -12

step "the window, from the installed binary, under Xvfb (first start builds the sample project)"
rm -rf "$ROOT/root/.local/share/mams" "$ROOT/root/.config/mams"
in_root sh -c 'Xvfb :77 -screen 0 1600x1000x24 >/dev/null 2>&1 & echo $! > /tmp/xvfb.pid'
sleep 2
in_root sh -c 'DISPLAY=:77 mams > /tmp/mams-app.log 2>&1 & echo $! > /tmp/mams.pid'
shown=""
for _ in $(seq 1 90); do
  sleep 2
  if in_root sh -c 'DISPLAY=:77 xwininfo -root -tree' | grep -q '"MAMS"'; then
    shown=yes
    # The sample project is built on the first start: wait for it, then look.
    if [[ -f "$ROOT/root/.local/share/mams/sample-province.duckdb" ]]; then sleep 20; break; fi
  fi
done
in_root sh -c 'DISPLAY=:77 xwd -root -silent' > /tmp/mams-deb-window.xwd || true
in_root sh -c 'kill $(cat /tmp/mams.pid) $(cat /tmp/xvfb.pid)' || true
[[ -n "$shown" ]] || { cat "$ROOT/tmp/mams-app.log"; echo "FAIL: no MAMS window"; exit 1; }
if command -v convert >/dev/null; then
  convert /tmp/mams-deb-window.xwd -crop 1440x900+0+0 /tmp/mams-deb-window.png && echo "screenshot: /tmp/mams-deb-window.png"
fi
ls -la "$ROOT/root/.local/share/mams/" | sed 's/^/  /'

step "remove the package and the dependencies it brought"
in_root apt-get purge -y -qq mams >/dev/null
in_root apt-get autoremove --purge -y -qq >/dev/null
while read -r f; do
  [[ "$f" == "/." ]] && continue
  if [[ -e "$ROOT$f" && ! -d "$ROOT$f" ]]; then echo "FAIL: left after removal: $f"; exit 1; fi
done < /tmp/mams-deb-files.txt
snapshot > /tmp/mams-deb-after.txt
if ! diff /tmp/mams-deb-before.txt /tmp/mams-deb-after.txt > /tmp/mams-deb-diff.txt; then
  echo "FAIL: the system differs after removal:"; cat /tmp/mams-deb-diff.txt; exit 1
fi
echo "nothing left outside /root (the user's own folder holds $(du -sh "$ROOT/root/.local/share/mams" | cut -f1) of MAMS data)"
echo "OK"
