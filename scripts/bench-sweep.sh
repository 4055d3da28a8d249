#!/usr/bin/env bash
# Sweep throughput of the command line (issue 13): runs per second of the queue lab's defaults at
# 30 virtual seconds a run, 50 seeds, on 1 and on 2 rayon threads; the median of 3 sweeps each
# (process start included). Usage: scripts/bench-sweep.sh [path/to/flowlab]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/flowlab}
[ -x "$bin" ] || { echo "bench-sweep: build it first: cargo build --release -p flowlab-cli" >&2; exit 1; }
cmd=(sweep queue --metric final.lost --seeds 50 --until-s 30)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for threads in 1 2; do
  walls=()
  for _ in 1 2 3; do
    start=$(date +%s%N)
    RAYON_NUM_THREADS=$threads "$bin" "${cmd[@]}" > /dev/null
    walls+=($(( $(date +%s%N) - start )))
  done
  median=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 2p)
  awk -v t="$threads" -v ns="$median" -v all="${walls[*]}" 'BEGIN {
    printf "RAYON_NUM_THREADS=%d: median %.3f s for 50 runs = %.1f runs/s (sweeps: %s ns)\n", t, ns / 1e9, 50 / (ns / 1e9), all }'
done
echo "command: RAYON_NUM_THREADS=N $bin ${cmd[*]}"
