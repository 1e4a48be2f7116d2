#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds (default 30), starting from the corpus kept in
# fuzz/corpus/TARGET (built by fuzz/campaign.sh) and seeds made from the conformance fixtures
# in fuzz/seeds/TARGET (generated, never committed: the fixtures stay in ../shared).
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-30}
shift || true
sanitizer=address
# shellcheck source=prelude.sh
source "$here/prelude.sh"
for target in "${targets[@]}"; do
  dict=()
  [ -f "dict/$target.dict" ] && dict=("-dict=dict/$target.dict")
  echo "fuzz: $target for ${seconds}s"
  log=$(mktemp)
  mkdir -p "corpus/$target" "seeds/$target"
  # New finds land in a scratch copy: CI's short runs leave the kept corpus as committed.
  scratch=$(mktemp -d)
  if ! cargo fuzz run "${fuzz_flags[@]}" "$target" "$scratch" "corpus/$target" "seeds/$target" -- \
      -max_total_time="$seconds" -max_len=4096 \
      -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $target FAILED (artifacts in fuzz/artifacts/$target)" >&2
    exit 1
  fi
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  echo "fuzz: $target ok, ${runs:-?} executions"
  rm -rf "$log" "$scratch"
done
