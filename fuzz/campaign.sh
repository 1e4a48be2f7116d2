#!/usr/bin/env bash
# Long fuzzing: runs each TARGET for RUNS executions (default 10,000,000) from the kept corpus
# (fuzz/corpus/TARGET) and the seeds (fuzz/seeds/TARGET), keeps what it finds in the corpus,
# minimises the corpus (libFuzzer's set-cover merge), and appends the run to fuzz/campaigns.tsv.
# A crash stops the campaign with the artifact in fuzz/artifacts/TARGET.
# Usage: [TEGAMI_FUZZ_SANITIZER=address|none] fuzz/campaign.sh [RUNS] [TARGET...]
#
# Long runs default to no sanitizer: our crates forbid `unsafe` (workspace lint), so a
# sanitizer only watches the dependencies' unsafe code, and it costs two to six times the
# executions. CI's short runs (run.sh) keep AddressSanitizer for those dependencies.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-10000000}
shift || true
sanitizer=${TEGAMI_FUZZ_SANITIZER:-none}
# shellcheck source=prelude.sh
source "$here/prelude.sh"
for target in "${targets[@]}"; do
  dict=()
  [ -f "dict/$target.dict" ] && dict=("-dict=dict/$target.dict")
  mkdir -p "corpus/$target" "seeds/$target"
  log=$(mktemp)
  started=$(date +%s)
  if ! cargo fuzz run "${fuzz_flags[@]}" "$target" "corpus/$target" "seeds/$target" -- -runs="$runs" \
      -max_len=4096 -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "campaign: $target FAILED (artifacts in fuzz/artifacts/$target)" >&2
    exit 1
  fi
  executed=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  seconds=$(( $(date +%s) - started ))
  # Keep the smallest set of the finds that covers what they cover.
  merged=$(mktemp -d)
  cargo fuzz run "${fuzz_flags[@]}" "$target" "$merged" "corpus/$target" -- -set_cover_merge=1 -max_len=4096 >"$log" 2>&1
  rm -rf "corpus/$target"
  mkdir -p "corpus/$target"
  find "$merged" -type f -exec mv -t "corpus/$target" {} +
  kept=$(find "corpus/$target" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$target" "$executed" "$seconds" "$kept" \
    "$sanitizer" >> campaigns.tsv
  echo "campaign: $target ok, $executed executions in ${seconds}s, $kept inputs kept"
  rm -rf "$log" "$merged"
done
