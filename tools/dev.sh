#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   bash tools/dev.sh run [ARGS...]   install what is missing, build, run vramest ARGS (default: 14B)
#   bash tools/dev.sh test            install what is missing, build, run the whole test suite (ctest)
#   bash tools/dev.sh build           install what is missing and build
#   bash tools/dev.sh check           CI's extra checks: formatting, ASan+UBSan suite, fuzzing, clang-tidy,
#                                     no downloads at build time, install and .deb packaging
# Builds incrementally into ./build (BUILD_DIR overrides). Needs root to install packages;
# otherwise it prints the exact sudo command and stops.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-"$root/build"}
packages=(g++ make cmake libcli11-dev libfmt-dev nlohmann-json3-dev catch2)
# Only for `check`: clang and its fuzzer runtime, clang-tidy, and packaging tools.
check_packages=(clang libclang-rt-14-dev clang-tidy clang-format dpkg-dev file groff-base util-linux zsh fish)

install_missing() {
  local missing=()
  for p in "$@"; do
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

# No FetchContent, ExternalProject or file(DOWNLOAD): dependencies come from Debian only. The
# configure and build then run without network (a fresh network namespace) where that is allowed.
check_no_downloads() {
  if grep -rnE 'FetchContent|ExternalProject|file\(DOWNLOAD' "$root/CMakeLists.txt" "$root/cmake" "$root/tests/CMakeLists.txt" "$root/fuzz/CMakeLists.txt" 2>/dev/null; then
    echo "error: the build may download something (see above)" >&2
    exit 1
  fi
  local offline="$root/build-offline"
  if unshare -rn true 2>/dev/null; then
    unshare -rn cmake -S "$root" -B "$offline" -DVRAMEST_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
    unshare -rn cmake --build "$offline" -j "$(nproc)" >/dev/null
    echo "no-download check: configured and built with no network"
  else
    echo "no-download check: no network namespace here; checked the CMake files only"
  fi
}

sanitize() {
  local dir="$root/build-asan"
  [ -f "$dir/CMakeCache.txt" ] || cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DVRAMEST_SANITIZE=ON >/dev/null
  cmake --build "$dir" -j "$(nproc)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
}

# Every C++ file as the committed .clang-format lays it out (clang-format 14, Debian 12).
format_check() {
  local files
  files=$(cd "$root" && git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src include tests tools fuzz -name '*.cpp' -o -name '*.hpp')
  if (cd "$root" && echo "$files" | xargs clang-format --dry-run --Werror); then
    echo "clang-format: clean"
  else
    echo "clang-format: the files above differ from .clang-format (run: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i)" >&2
    exit 1
  fi
}

tidy() {
  local log status=0
  log=$(mktemp)
  # clang-tidy exits non-zero on any warning (WarningsAsErrors in .clang-tidy).
  (cd "$root" && ls src/*.cpp src/cli/*.cpp src/report/*.cpp tools/*.cpp |
     xargs -P "$(nproc)" -n 2 clang-tidy -p "$build_dir" --quiet --extra-arg=-Wno-unknown-warning-option) >"$log" 2>&1 ||
    status=$?
  grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated|^Suppressed|^Use -header-filter' "$log" || true
  rm -f "$log"
  [ "$status" -eq 0 ] || { echo "clang-tidy: findings above" >&2; exit 1; }
  echo "clang-tidy: clean"
}

command=${1:-run}
shift || true
case "$command" in
  run)
    install_missing "${packages[@]}"
    build >/dev/null
    [ $# -eq 0 ] && set -- 14B
    exec "$build_dir/vramest" "$@"
    ;;
  test)
    install_missing "${packages[@]}"
    build
    ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
    ;;
  build)
    install_missing "${packages[@]}"
    build
    ;;
  check)
    install_missing "${packages[@]}" "${check_packages[@]}"
    build
    format_check
    check_no_downloads
    sanitize
    tidy
    bash "$root/fuzz/run.sh" "${FUZZ_SECONDS:-20}"
    # 77 means every check that could run passed and a missing shell was skipped (named above).
    if [ -f "$root/tests/install/install_test.sh" ]; then
      bash "$root/tests/install/install_test.sh" "$build_dir" "$root" || { rc=$?; [ "$rc" -eq 77 ] || exit "$rc"; }
    fi
    ;;
  *)
    echo "usage: bash tools/dev.sh run [ARGS...] | test | build | check" >&2
    exit 2
    ;;
esac
