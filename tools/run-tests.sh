#!/bin/sh
# tools/run-tests.sh - set up, build, and run the whole test suite twice:
# the normal build (build/) and an AddressSanitizer + UBSan build
# (build-asan/).  Exit status is non-zero if any test fails.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup.sh
sh tools/build.sh build
(cd build && ctest --output-on-failure -j"$(nproc)")
sh tools/build.sh build-asan -DFINN_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j"$(nproc)")
echo "run-tests: all tests passed (normal and ASan/UBSan builds)"
