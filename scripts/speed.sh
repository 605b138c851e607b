#!/usr/bin/env bash
# Issue 25's benchmark: this tree against the reference commit, in pairs.
#
#   scripts/speed.sh              # 9 pairs of each pair set
#   PAIRS=3 scripts/speed.sh      # fewer pairs
#   PLAN=1 scripts/speed.sh       # also the planner's full-night question, once
#   REF=7c7b213 scripts/speed.sh  # the reference commit (default 7c7b213)
#
# Builds the reference binary from the commit REF (its sources exported by
# `git archive` into <target>/speed/ref-REF/src, built with its own
# CARGO_TARGET_DIR <target>/speed/ref-REF/target; skipped when that binary is
# already there), this tree's release binary and its example bare_mm100 (a
# bare M/M/100 loop: completion times in a std BinaryHeap, exponential
# arrivals and services; the pair set that needs it is skipped when it does
# not build). Then runs each pair set PAIRS times as A B A B ..., each run a
# whole process under /usr/bin/time -v, and prints a markdown table: median
# wall time and CPU time (user+sys) of each side, the median of the
# pair-by-pair ratios A/B of wall time (min-max), median peak RSS of each
# side. The reference runs the scenario files of its own commit (the files
# have grown fields it does not know): the same night as it modelled it.
# On a shared machine the ratio of neighbouring runs moves less than
# either side's time. Pair sets:
#   (1) the 19 July night, `run scenarios/kdca-2021-07-19.toml --no-charts -q`,
#       this tree vs REF;
#   (2) M/M/100, `run scenarios/bench-mm100.toml --no-charts -q`, this tree
#       vs REF;
#   (3) M/M/100, this tree vs the bare loop (1M customers, as the scenario);
#   (4) with PLAN=1: `plan scenarios/kdca-2021-07-19.toml --vary
#       waiting_room.admit_per_minute=1000..100000 --target 'wait_p90_s <= 3600'`
#       once: wall time, CPU time, peak RSS and the runs it used.
# Writes only under $CARGO_TARGET_DIR (default target/), in <target>/speed/,
# and deletes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-9}
REF=${REF:-7c7b213}
TARGET=${CARGO_TARGET_DIR:-target}
case "$TARGET" in /*) ;; *) TARGET="$PWD/$TARGET" ;; esac
WORK="$TARGET/speed"
BIN="$TARGET/release/surgesim"
BARE="$TARGET/release/examples/bare_mm100"
KDCA=scenarios/kdca-2021-07-19.toml
MM=scenarios/bench-mm100.toml
mkdir -p "$WORK"

[ -x /usr/bin/time ] || { echo "speed.sh needs /usr/bin/time (GNU time)" >&2; exit 1; }

# The reference binary: its sources exported once, built once.
REF_DIR="$WORK/ref-$REF"
REF_BIN="$REF_DIR/target/release/surgesim"
if [ ! -x "$REF_BIN" ]; then
    echo "building the reference binary ($REF) in $REF_DIR..." >&2
    if [ ! -f "$REF_DIR/src/Cargo.toml" ]; then
        mkdir -p "$REF_DIR/src"
        git archive "$REF" | tar -x -C "$REF_DIR/src"
    fi
    (cd "$REF_DIR/src" && CARGO_TARGET_DIR="$REF_DIR/target" cargo build --release --quiet)
fi

echo "building this tree's release binary..." >&2
cargo build --release --quiet
HAVE_BARE=1
if ! cargo build --release --quiet --example bare_mm100 2>"$WORK/bare_mm100.build.log"; then
    HAVE_BARE=0
    echo "note: examples/bare_mm100 does not build here (see $WORK/bare_mm100.build.log): pair set (3) skipped" >&2
fi

# The flags of a binary's `run`: a reference commit may lack some.
run_flags() { # BINARY
    local help flags=()
    help=$("$1" run --help)
    grep -q -- '--no-charts' <<<"$help" && flags+=(--no-charts)
    if grep -q -- '--quiet' <<<"$help"; then flags+=(-q); fi
    echo "${flags[@]}"
}
read -r -a NEW_FLAGS <<<"$(run_flags "$BIN")"
read -r -a REF_FLAGS <<<"$(run_flags "$REF_BIN")"
[ "${#REF_FLAGS[@]}" = 2 ] || echo "note: the reference binary's run lacks some of --no-charts -q; it runs with: ${REF_FLAGS[*]:-no flags}" >&2

# median of numbers on stdin
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.6g\n", (v[NR/2]+v[NR/2+1])/2}'; }

# timed NAME CMD...: run CMD once under /usr/bin/time -v, its output in
# $WORK/NAME.log; sets T_WALL (s), T_CPU (user+sys, s), T_RSS (KiB).
timed() {
    local name=$1 t0 t1; shift
    t0=$(date +%s%N)
    if ! /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.log" 2>&1; then
        echo "failed: $* (see $WORK/$name.log)" >&2
        exit 1
    fi
    t1=$(date +%s%N)
    T_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
    T_CPU=$(awk -F': ' '/User time/ {u = $2} /System time/ {k = $2} END {printf "%.2f", u + k}' "$WORK/$name.time")
    T_RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")
}

ROWS=()
# pairs KEY LABEL A_LABEL B_LABEL -- A_CMD... -- B_CMD...: PAIRS runs of each, A B A B.
pairs() {
    local key=$1 label=$2 a_label=$3 b_label=$4 i; shift 5
    local a_cmd=() b_cmd=()
    while [ "$1" != -- ]; do a_cmd+=("$1"); shift; done
    shift
    b_cmd=("$@")
    local aw=() ac=() ar=() bw=() bc=() br=() ratios=()
    echo "  $label: $PAIRS pair(s)..." >&2
    for ((i = 0; i < PAIRS; i++)); do
        timed "$key-a" "${a_cmd[@]}"
        aw+=("$T_WALL") ac+=("$T_CPU") ar+=("$T_RSS")
        timed "$key-b" "${b_cmd[@]}"
        bw+=("$T_WALL") bc+=("$T_CPU") br+=("$T_RSS")
        ratios+=("$(awk -v a="${aw[i]}" -v b="$T_WALL" 'BEGIN {printf "%.4f", a / b}')")
    done
    local m lo hi
    m=$(printf '%s\n' "${ratios[@]}" | median)
    lo=$(printf '%s\n' "${ratios[@]}" | sort -g | head -1)
    hi=$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1)
    mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }
    ROWS+=("$(printf '| %s | %s vs %s | %s | %.2f / %.2f | %.2f / %.2f | %.3f (%.3f-%.3f) | %s / %s |' \
        "$label" "$a_label" "$b_label" "$PAIRS" \
        "$(printf '%s\n' "${aw[@]}" | median)" "$(printf '%s\n' "${bw[@]}" | median)" \
        "$(printf '%s\n' "${ac[@]}" | median)" "$(printf '%s\n' "${bc[@]}" | median)" \
        "$m" "$lo" "$hi" \
        "$(mib "$(printf '%s\n' "${ar[@]}" | median)")" "$(mib "$(printf '%s\n' "${br[@]}" | median)")")")
}

LOAD_BEFORE=$(uptime | sed 's/.*load average: //')
echo "measuring ($PAIRS pairs each)..." >&2
pairs kdca "19 July night (full scale)" "this tree" "$REF" -- \
    "$BIN" run "$KDCA" "${NEW_FLAGS[@]}" --out "$WORK/out-kdca-new" -- \
    "$REF_BIN" run "$REF_DIR/src/$KDCA" "${REF_FLAGS[@]}" --out "$WORK/out-kdca-ref"
pairs mm100 "M/M/100, 1M customers" "this tree" "$REF" -- \
    "$BIN" run "$MM" "${NEW_FLAGS[@]}" --out "$WORK/out-mm100-new" -- \
    "$REF_BIN" run "$REF_DIR/src/$MM" "${REF_FLAGS[@]}" --out "$WORK/out-mm100-ref"
if [ "$HAVE_BARE" = 1 ]; then
    pairs bare "M/M/100, 1M customers" "this tree" "bare loop" -- \
        "$BIN" run "$MM" "${NEW_FLAGS[@]}" --out "$WORK/out-mm100-new" -- \
        "$BARE" 1000000
fi
PLAN_ROW=""
if [ "${PLAN:-0}" = 1 ]; then
    echo "  the planner's full-night question, once..." >&2
    timed plan "$BIN" plan "$KDCA" --vary waiting_room.admit_per_minute=1000..100000 \
        --target 'wait_p90_s <= 3600' --quiet --out "$WORK/out-plan"
    runs=$(grep -o '"runs": *[0-9]*' "$WORK/out-plan/plan.json" | head -1 | grep -o '[0-9]*$' || echo '?')
    points=$(($(wc -l <"$WORK/out-plan/plan.csv") - 1))
    PLAN_ROW="| plan, full night: admit_per_minute for wait_p90_s <= 3600 | $T_WALL s wall, $T_CPU s CPU, $(awk -v k="$T_RSS" 'BEGIN {printf "%.0f", k / 1024}') MiB | $runs runs at $points values: $(tail -1 "$WORK/plan.log") | < 60 s |"
fi
LOAD_AFTER=$(uptime | sed 's/.*load average: //')

if git rev-parse --git-dir >/dev/null 2>&1; then
    REV="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock examples || echo ', uncommitted changes')"
else
    REV="not a git checkout"
fi
echo
echo "## surgesim speed: this tree ($REV) vs $REF, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Machine: $(nproc) cores; load average before $LOAD_BEFORE, after $LOAD_AFTER."
echo "Each pair: A then B, whole processes; ratio = A's wall time / B's, pair by pair."
echo
echo "| measurement | A vs B | pairs | wall s, median A / B | CPU s (user+sys), median A / B | ratio A/B, median (min-max) | peak RSS MiB, median A / B |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${ROWS[@]}"
if [ -n "$PLAN_ROW" ]; then
    echo
    echo "| question | time | runs | target |"
    echo "| --- | --- | --- | --- |"
    echo "$PLAN_ROW"
fi
echo
echo "Binaries: A = $BIN, $REF = $REF_BIN, bare loop = $BARE; outputs and logs under $WORK."
