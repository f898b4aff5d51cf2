#!/usr/bin/env bash
# fuzz/run.sh — build the libFuzzer targets with clang and run each for a bounded time.
#
#   fuzz/run.sh        # 20 s per target
#   fuzz/run.sh 300    # 5 minutes per target
#
# Builds in build-fuzz/ (or $VRAMEST_FUZZ_BUILD_DIR) with CC=clang CXX=clang++, runs each
# target on a temporary copy of fuzz/seeds/<target>/ (the committed seeds stay as they are),
# prints executions and coverage, and exits non-zero if any target finds a crash, a sanitizer
# report, a leak or a hang; the input that caused it is kept in build-fuzz/artifacts/<target>/
# and should become a case in tests/parse/.
set -euo pipefail

seconds="${1:-20}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${VRAMEST_FUZZ_BUILD_DIR:-$root/build-fuzz}"
targets=(gguf safetensors hf_config)

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DVRAMEST_FUZZ=ON -DVRAMEST_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  artifacts="$build/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  cp "$root/fuzz/seeds/$target/"* "$corpus/"
  log="$work/$target.log"
  # -timeout: an input that takes 10 s is a hang, reported as a failure like a crash.
  if "$build/fuzz/fuzz_$target" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  corp="$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")"
  echo "fuzz_$target: $result, ${execs:-?} executions in ${seconds} s, coverage ${cov:-?} edges, ${ft:-?} features, corpus ${corp:-?} inputs"
  if [[ "$result" == FAILED ]]; then
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly signal|timeout' "$log" | head -n 20 || true
    tail -n 40 "$log"
  fi
done
exit "$status"
