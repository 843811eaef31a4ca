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
# valgrind over the in-process unit tests of the normal build (the tool
# tests spawn processes, which the ASan build already covers)
if command -v valgrind >/dev/null; then
    for t in build/tests/test_*; do
        case "$(basename "$t")" in test_finn_run|test_finn_exec|test_finn_gen|*.sh) continue ;; esac
        [ -x "$t" ] || continue
        (cd build/tests && FINN_SOURCE_DIR="$PWD/../.." FINN_BUILD_DIR="$PWD/.." \
            FINN_BIN_DIR="$PWD/../bin" FINN_FIXTURE_DIR="$PWD/../test-fixtures" \
            FINN_PLUGIN_DIR="$PWD/../lib/finn-run/plugins" FINN_SHARED_DIR="$PWD/../../../shared" \
            valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
            "./$(basename "$t")" >/dev/null) || { rc=$?; [ $rc -eq 77 ] || { echo "valgrind: $t failed ($rc)"; exit 1; }; }
    done
    echo "run-tests: valgrind clean"
fi
echo "run-tests: all tests passed (normal and ASan/UBSan builds, valgrind)"
