#!/bin/sh
# Make the sample charts in docs/ again (see docs/README.md for what each
# shows). Run from the repository root after a change to the model, the
# charts or a bundled scenario; it writes only into target/ and docs/*.png.
set -eu
cargo build --release --quiet
bin=target/release/surgesim
$bin run scenarios/kdca-2021-07-19.toml --out target/docs-sample --quiet
cp target/docs-sample/waits.png target/docs-sample/queue.png target/docs-sample/front.png docs/
$bin run scenarios/kdca-2021-07-19.toml --scale 0.1 --set scenario.arrival_bin=10m --out target/docs-fairness --quiet
cp target/docs-fairness/fairness.png docs/
$bin run scenarios/kdca-2021-07-19.toml --scale 0.05 -r 4 --out target/docs-replicated --quiet
cp target/docs-replicated/drops.png docs/drops-replicated.png
$bin sweep scenarios/erlang-b.toml --vary backend.max_sessions=16,18,20,22,24 \
  --vary clients.session.mean=50s,1m -r 4 --set scenario.duration=10h --set cohort.0.people=10800 \
  --out target/docs-sweep --quiet
cp target/docs-sweep/sweep-backend.max_sessions.png docs/
$bin compare scenarios/kdca-2021-07-19.toml scenarios/what-if-no-waiting-room.toml \
  scenarios/what-if-cloud-from-opening.toml scenarios/what-if-birth-digit-split.toml scenarios/what-if-august-fixes.toml \
  --out target/what-if --quiet
cp target/what-if/compare-bookings.png docs/
