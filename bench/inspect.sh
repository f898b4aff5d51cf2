#!/usr/bin/env bash
# Inspecting files costs about a process start, whatever their size: a 1,002-tensor GGUF of 55 GB
# and of 0.1 GB, and a 100-shard safetensors checkpoint of 40 GB and of 2.5 MB (sparse files).
#   bash bench/inspect.sh [path/to/vramest]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vramest=${1:-"$root/build/vramest"}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$root/bench/make_model_files.py" "$dir"
runs=${RUNS:-100}
mean_ms() {
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < runs; i++)); do "$@" >/dev/null; done
  end=$(date +%s%N)
  awk -v ns=$((end - start)) -v n="$runs" 'BEGIN { printf "%.3f", ns / n / 1e6 }'
}
base=$(mean_ms /bin/true)
printf '%-42s %10s %10s %8s\n' "command" "file size" "mean ms" "x true"
for target in large-1002-tensors.gguf small-1002-tensors.gguf large-100-shards small-100-shards; do
  size=$(du -sb --apparent-size "$dir/$target" | cut -f1)
  ms=$(mean_ms "$vramest" inspect "$dir/$target")
  printf '%-42s %9.1fG %10s %8s\n' "vramest inspect $target" "$(awk -v b="$size" 'BEGIN{print b/1e9}')" "$ms" \
    "$(awk -v a="$ms" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
done
