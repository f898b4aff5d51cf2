#!/usr/bin/env bash
# Sweep throughput: estimates per second on one core for a grid of every model x 5 formats x
# 11 contexts x 7 batch sizes x every GPU (about 1.4 million estimates).
#   bash bench/sweep.sh [path/to/vramest]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vramest=${1:-"$root/build/vramest"}
models=$("$vramest" models --json | python3 -c 'import json,sys; print(",".join(m["id"] for m in json.load(sys.stdin)["models"]))')
gpus=$("$vramest" gpus --json | python3 -c 'import json,sys; print(",".join(g["id"] for g in json.load(sys.stdin)["gpus"]))')
args=(sweep --models "$models" --formats bf16,fp8,int8,nf4,awq --contexts 1k,2k,4k,8k,16k,32k,64k,128k,256k,512k,1024k
      --batches 1,2,4,8,16,32,64 --gpus "$gpus")
rows=$(taskset -c 0 "$vramest" "${args[@]}" | tail -n +2 | wc -l)
start=$(date +%s%N)
for _ in 1 2 3; do taskset -c 0 "$vramest" "${args[@]}" >/dev/null; done
end=$(date +%s%N)
awk -v rows="$rows" -v ns=$((end - start)) 'BEGIN {
  s = ns / 3 / 1e9
  printf "%d estimates in %.3f s on one core: %.0f estimates/s\n", rows, s, rows / s }'
