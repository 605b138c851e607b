#!/usr/bin/env bash
# Speed: time the release binary.
#
#   scripts/bench.sh            # 5 runs of each measurement, medians
#   RUNS=3 scripts/bench.sh     # fewer runs
#   ENGINE=1 scripts/bench.sh   # also `cargo bench -p surgesim-bench --bench engine` (+3-5 min)
#   QUEUES=1 scripts/bench.sh   # also both scenarios on each --queue (heap: minutes)
#   PYTHON=/tmp/venv/bin/python scripts/bench.sh   # a python with simpy
#   BENCH_REV=abc1234 scripts/bench.sh   # label for a tree exported without .git
#
# Builds the release binary once (in $CARGO_TARGET_DIR, default target/),
# then runs each scenario RUNS times under /usr/bin/time -v and prints a
# markdown table: median wall time (min-max), median CPU time (user+sys: on
# a shared machine it moves less than wall time), median peak RSS, events/s.
#   (a) bench-mm100 (M/M/100 at load 95, 1M customers), charts off:
#       customers/s = 1e6 / wall.
#   (b) the 19 July replay at full scale, charts off and on.
#   (c) memory against total visitors: the replay at a tenth of its people
#       vs full scale (same capacity; but the waiting room holds millions, so
#       the people *in the system* grow too), and bench-mm100 at 1M vs 10M
#       customers (same concurrency: 100 sessions, a short line).
#   (d) SimPy on the same M/M/100, once, if python can import simpy.
#   (e) with QUEUES=1 and a binary that has the (hidden) --queue flag:
#       bench-mm100 and the full replay on each future-event list.
# Writes nothing outside $CARGO_TARGET_DIR (outputs go to <target>/bench/).
# The machine's load is printed: on a busy machine medians still move.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
PYTHON=${PYTHON:-python3}
TARGET=${CARGO_TARGET_DIR:-target}
case "$TARGET" in /*) ;; *) TARGET="$PWD/$TARGET" ;; esac
BIN="$TARGET/release/surgesim"
WORK="$TARGET/bench"
mkdir -p "$WORK"

[ -x /usr/bin/time ] || { echo "bench.sh needs /usr/bin/time (GNU time)" >&2; exit 1; }

echo "building release binary..." >&2
cargo build --release --quiet
CHARTS_OFF=()
if "$BIN" run --help | grep -q -- '--no-charts'; then
    CHARTS_OFF=(--no-charts)
else
    echo "note: this build has no --no-charts flag; 'charts off' runs use the default" >&2
fi

# median of numbers on stdin
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.6g\n", (v[NR/2]+v[NR/2+1])/2}'; }

ROWS=()
declare -A WALL RSS EVENTS CPU

# measure KEY LABEL RUNS ARGS...: run `surgesim run ARGS` RUNS times.
measure() {
    local key=$1 label=$2 runs=$3; shift 3
    local out="$WORK/$key" walls=() rsss=() cpus=() i t0 t1 log="$WORK/$key.time"
    echo "  $label: $runs run(s)..." >&2
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        if ! /usr/bin/time -v -o "$log" "$BIN" run "$@" --out "$out" --quiet; then
            echo "run failed: $BIN run $* --out $out" >&2
            exit 1
        fi
        t1=$(date +%s%N)
        walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')")
        rsss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")")
        cpus+=("$(awk -F': ' '/User time/ {u = $2} /System time/ {k = $2} END {printf "%.2f", u + k}' "$log")")
    done
    WALL[$key]=$(printf '%s\n' "${walls[@]}" | median)
    RSS[$key]=$(printf '%s\n' "${rsss[@]}" | median)
    CPU[$key]=$(printf '%s\n' "${cpus[@]}" | median)
    EVENTS[$key]=$(grep -o '"events": *[0-9]*' "$out/summary.json" | grep -o '[0-9]*$' || echo 0)
    local lo hi
    lo=$(printf '%s\n' "${walls[@]}" | sort -g | head -1)
    hi=$(printf '%s\n' "${walls[@]}" | sort -g | tail -1)
    ROWS+=("$(printf '| %s | %s | %.2f (%.2f-%.2f) | %.2f | %.0f | %s |' "$label" "$runs" "${WALL[$key]}" "$lo" "$hi" "${CPU[$key]}" \
        "$(awk -v k="${RSS[$key]}" 'BEGIN {print k / 1024}')" \
        "$(awk -v e="${EVENTS[$key]}" -v w="${WALL[$key]}" 'BEGIN {printf "%.1fM events/s", e / w / 1e6}')")")
}

LOAD_BEFORE=$(uptime | sed 's/.*load average: //')
MM=scenarios/bench-mm100.toml
KDCA=scenarios/kdca-2021-07-19.toml
# Ten times the customers at the same concurrency (c = 100, load 95): ten
# times the rate and a tenth of the session, over the same 10,000 minutes and
# bins (runs are capped at 45 days, so the duration cannot grow tenfold).
MM10M=(--set cohort.0.people=10000000 --set 'clients.session={ dist = "exponential", mean = "5.7s" }')
KDCA_TENTH=(--set cohort.0.people=150000 --set cohort.1.people=450000)

echo "measuring ($RUNS runs each, binary $BIN)..." >&2
measure mm100 "bench-mm100, 1M customers, charts off" "$RUNS" "$MM" "${CHARTS_OFF[@]}"
measure mm100x10 "bench-mm100, 10M customers, charts off" "$RUNS" "$MM" "${MM10M[@]}" "${CHARTS_OFF[@]}"
measure kdca "KDCA replay, full scale (6M people), charts off" "$RUNS" "$KDCA" "${CHARTS_OFF[@]}"
measure kdca_charts "KDCA replay, full scale, charts on" "$RUNS" "$KDCA"
measure kdca_tenth "KDCA replay, 1/10 people (600k), charts off" "$RUNS" "$KDCA" "${KDCA_TENTH[@]}" "${CHARTS_OFF[@]}"
if [ "${QUEUES:-0}" = 1 ]; then
    if "$BIN" run --queue radix --help >/dev/null 2>&1; then
        for q in radix calendar heap; do
            measure "mm100_$q" "bench-mm100, 1M customers, --queue $q" "$RUNS" "$MM" --queue "$q" "${CHARTS_OFF[@]}"
            measure "kdca_$q" "KDCA replay, full scale, --queue $q" "$RUNS" "$KDCA" --queue "$q" "${CHARTS_OFF[@]}"
        done
    else
        echo "note: this build has no --queue flag; QUEUES=1 ignored" >&2
    fi
fi
LOAD_AFTER=$(uptime | sed 's/.*load average: //')

SIMPY=""
if "$PYTHON" -c 'import simpy' 2>/dev/null; then
    echo "  SimPy M/M/100, 1M customers: 1 run..." >&2
    SIMPY=$("$PYTHON" scripts/simpy_mm100.py)
else
    echo "note: '$PYTHON' cannot import simpy; SimPy reference skipped (PYTHON=... to point at one)" >&2
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
per_s() { awk -v n="$1" -v t="$2" 'BEGIN {printf "%.2fM/s", n / t / 1e6}'; }

echo
if git rev-parse --git-dir >/dev/null 2>&1; then
    REV="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ', uncommitted changes in src/')"
else
    REV="${BENCH_REV:-not a git checkout}"
fi
echo "## surgesim benchmarks ($REV, $(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "Machine: $(nproc) cores; load average before $LOAD_BEFORE, after $LOAD_AFTER."
echo
echo "| measurement | runs | wall s, median (min-max) | CPU s (user+sys), median | peak RSS MiB (median) | events/s (wall) |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${ROWS[@]}"
echo
echo "| figure | value | target |"
echo "| --- | --- | --- |"
echo "| M/M/100 customers/s (1M, CLI, charts off), by wall / by CPU time | $(per_s 1e6 "${WALL[mm100]}") / $(per_s 1e6 "${CPU[mm100]}") | >= 5M/s |"
echo "| M/M/100 customers/s (10M), by wall / by CPU time | $(per_s 1e7 "${WALL[mm100x10]}") / $(per_s 1e7 "${CPU[mm100x10]}") | |"
echo "| KDCA full scale, charts off | ${WALL[kdca]} s wall (${CPU[kdca]} s CPU), $(awk -v k="${RSS[kdca]}" 'BEGIN {printf "%.0f", k / 1024}') MiB | <= 10 s, <= 1 GB |"
echo "| charts add (difference of medians) | $(awk -v a="${WALL[kdca_charts]}" -v b="${WALL[kdca]}" 'BEGIN {printf "%+.2f", a - b}') s wall, $(awk -v a="${CPU[kdca_charts]}" -v b="${CPU[kdca]}" 'BEGIN {printf "%+.2f", a - b}') s CPU | < 1 s |"
echo "| peak RSS, bench-mm100 10M / 1M customers | $(ratio "${RSS[mm100x10]}" "${RSS[mm100]}")x | flat (~1x) |"
echo "| peak RSS, KDCA full / 1/10 people | $(ratio "${RSS[kdca]}" "${RSS[kdca_tenth]}")x | (the line grows with the people here) |"
if [ -n "$SIMPY" ]; then
    simpy_cps=$(sed -n 's/.*customers_per_s=\([0-9]*\).*/\1/p' <<<"$SIMPY")
    simpy_wall=$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' <<<"$SIMPY")
    echo "| SimPy M/M/100, 1M customers | ${simpy_wall} s, $(awk -v c="$simpy_cps" 'BEGIN {printf "%.0fk", c / 1e3}') customers/s | |"
    simpy_cpu=$(sed -n 's/.*cpu_s=\([0-9.]*\).*/\1/p' <<<"$SIMPY")
    echo "| surgesim / SimPy, by wall / by CPU time | $(ratio "$simpy_wall" "${WALL[mm100]}")x / $(ratio "${simpy_cpu:-nan}" "${CPU[mm100]}")x | >= 50x |"
    echo
    echo "SimPy: $SIMPY"
fi
echo
echo "Commands (binary: $BIN, outputs under $WORK):"
echo "    surgesim run $MM ${CHARTS_OFF[*]} --quiet"
echo "    surgesim run $MM --set cohort.0.people=10000000 --set 'clients.session={ dist = \"exponential\", mean = \"5.7s\" }' ${CHARTS_OFF[*]} --quiet"
echo "    surgesim run $KDCA ${CHARTS_OFF[*]} --quiet   # and without ${CHARTS_OFF[*]:-flags}"
echo "    surgesim run $KDCA ${KDCA_TENTH[*]} ${CHARTS_OFF[*]} --quiet"

if [ "${ENGINE:-0}" = 1 ]; then
    echo
    echo "## cargo bench -p surgesim-bench --bench engine"
    echo
    cargo bench -p surgesim-bench --bench engine 2>&1 | grep -v '^ *\(Compiling\|Finished\|Running\)'
fi
