#!/usr/bin/env bash
# Same outputs before and after a change that should not change them (a
# refactor): run two surgesim binaries on every bundled scenario (at a
# tenth of the people), one replicated run, one comparison and one sweep,
# and compare the folders byte for byte (tables, JSON, charts).
#
#   scripts/same-outputs.sh OLD_BINARY NEW_BINARY
#
# OLD_BINARY is e.g. the release build of the commit before the change
# (`git worktree add /tmp/before REV && cargo build --release` there).
# Exits 0 and says "identical", or 1 with the first differences.
set -euo pipefail
old=${1:?usage: scripts/same-outputs.sh OLD_BINARY NEW_BINARY}
new=${2:?usage: scripts/same-outputs.sh OLD_BINARY NEW_BINARY}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

outputs() { # BINARY DIR
  local bin=$1 out=$2 f n
  mkdir -p "$out"
  for f in scenarios/*.toml; do
    n=$(basename "$f" .toml)
    "$bin" run "$f" --scale 0.1 --quiet --out "$out/$n" >/dev/null
  done
  "$bin" run scenarios/kdca-2021-07-19.toml --scale 0.05 -r 2 --quiet --out "$out/replicated" >/dev/null
  "$bin" compare scenarios/kdca-2021-07-19.toml scenarios/what-if-birth-digit-split.toml \
    --scale 0.05 -r 2 --quiet --out "$out/compare" >/dev/null
  "$bin" sweep scenarios/kdca-2021-07-19.toml --vary waiting_room.admit_per_minute=5000,20000 \
    --scale 0.05 --quiet --out "$out/sweep" >/dev/null
}

outputs "$old" "$work/old"
outputs "$new" "$work/new"
if diff -r "$work/old" "$work/new" >"$work/diff"; then
  echo identical
else
  head -20 "$work/diff"
  exit 1
fi
