#!/usr/bin/env bash
# Sweep throughput of the command line (issue 13): runs per second of the queue lab's defaults at
# 30 virtual seconds a run, SEEDS seeds (default 50; 200, the most a sweep takes, times a longer
# stretch), on 1 and on 2 rayon threads (THREADS="1 2"); the median of 3 sweeps each (wall clock,
# process start included), and the CPU seconds the median sweep used (user + system: a figure the
# machine's other load disturbs less). Usage: [SEEDS=n] [THREADS=..] scripts/bench-sweep.sh [path/to/flowlab]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/flowlab}
[ -x "$bin" ] || { echo "bench-sweep: build it first: cargo build --release -p flowlab-cli" >&2; exit 1; }
seeds=${SEEDS:-50}
cmd=(sweep queue --metric final.lost --seeds "$seeds" --until-s 30)
times=$(mktemp)
trap 'rm -f "$times"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for threads in ${THREADS:-1 2}; do
  rows=()
  for _ in 1 2 3; do
    start=$(date +%s%N)
    RAYON_NUM_THREADS=$threads /usr/bin/time -f "%U %S" -o "$times" "$bin" "${cmd[@]}" > /dev/null
    wall=$(( $(date +%s%N) - start ))
    rows+=("$wall $(awk '{ print $1 + $2 }' "$times")")
  done
  printf '%s\n' "${rows[@]}" | sort -n | sed -n 2p | awk -v t="$threads" -v n="$seeds" '{
    printf "RAYON_NUM_THREADS=%d: median %.3f s wall for %d runs = %.1f runs/s (%.2f CPU s: %.1f runs per CPU second)\n",
      t, $1 / 1e9, n, n / ($1 / 1e9), $2, n / ($2 > 0 ? $2 : 0.01) }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: RAYON_NUM_THREADS=N $bin ${cmd[*]}"
