#!/usr/bin/env bash
# Prints what a browser downloads from a built site, raw and gzipped (gzip -9).
set -euo pipefail
dir="${1:-dist}"
total_raw=0; total_gz=0
for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css "$dir"/index.html; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-48s %8d bytes  %8d gzipped\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-48s %8d bytes  %8d gzipped\n' "total" "$total_raw" "$total_gz"
