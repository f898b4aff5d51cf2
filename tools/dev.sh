#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   bash tools/dev.sh run [ARGS...]   install what is missing, build, run vramest ARGS (default: 14B)
#   bash tools/dev.sh test            install what is missing, build, run the whole test suite (ctest)
#   bash tools/dev.sh build           install what is missing and build
# Builds incrementally into ./build (BUILD_DIR overrides). Needs root to install packages;
# otherwise it prints the exact sudo command and stops.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-"$root/build"}
packages=(g++ make cmake libcli11-dev libfmt-dev nlohmann-json3-dev catch2)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "vramest needs these Debian packages: ${missing[*]}" >&2
    echo "Install them, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$build_dir" -j "$(nproc)"
}

command=${1:-run}
shift || true
case "$command" in
  run)
    install_missing
    build >/dev/null
    [ $# -eq 0 ] && set -- 14B
    exec "$build_dir/vramest" "$@"
    ;;
  test)
    install_missing
    build
    ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
    ;;
  build)
    install_missing
    build
    ;;
  *)
    echo "usage: bash tools/dev.sh run [ARGS...] | test | build" >&2
    exit 2
    ;;
esac
