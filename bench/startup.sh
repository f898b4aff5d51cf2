#!/usr/bin/env bash
# Start-up benchmark: a whole vramest invocation against a process that does nothing.
#   bash bench/startup.sh [path/to/vramest]
# Uses hyperfine when installed (apt-get install hyperfine), else a timed shell loop.
# Prints mean wall time per invocation and the ratio to /bin/true (the README quotes it).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vramest=${1:-"$root/build/vramest"}
runs=${RUNS:-300}
commands=("/bin/true" "$vramest --version" "$vramest 14B" "$vramest 14B --json" "$vramest 70b -p int4 --gpu rtx-4090" "$vramest gpus" "$vramest llama-3.1-8b" "$vramest qwen3-8b -c 32k --engine vllm --gpu rtx-4090 --json")

mean_ms() {  # mean wall milliseconds of one run of "$1"
  if command -v hyperfine >/dev/null; then
    hyperfine -N -i --warmup 20 --runs "$runs" --export-json /tmp/vramest-bench.json "$1" >/dev/null 2>&1 || true
    python3 -c 'import json;print("%.3f" % (json.load(open("/tmp/vramest-bench.json"))["results"][0]["mean"]*1000))'
  else
    local start end
    start=$(date +%s%N)
    for ((i = 0; i < runs; i++)); do $1 >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    awk -v ns=$((end - start)) -v n="$runs" 'BEGIN { printf "%.3f\n", ns / n / 1e6 }'
  fi
}

baseline=$(mean_ms /bin/true)
printf '%-44s %10s %8s\n' "command" "mean ms" "x true"
for c in "${commands[@]}"; do
  ms=$(mean_ms "$c")
  printf '%-44s %10s %8s\n' "${c/#$root\//}" "$ms" "$(awk -v a="$ms" -v b="$baseline" 'BEGIN { printf "%.2f", a / b }')"
done
