#!/bin/bash
# test_install.sh - `cmake --install` gives a prefix where finn-run finds
# its plugins without any environment variable, and where a user builds an
# out-of-tree plugin with pkg-config and with the CMake package.
set -u
fail() { echo "FAIL: $*"; exit 1; }
: "${FINN_BUILD_DIR:?}"
tmp=$(mktemp -d /tmp/finn-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
cmake --install "$FINN_BUILD_DIR" --prefix "$prefix" >/dev/null || fail "cmake --install failed"
[ -x "$prefix/bin/finn-run" ] || fail "no bin/finn-run"
ls "$prefix"/lib/finn-run/plugins/examples.so >/dev/null || fail "no examples.so in the prefix"

cd "$tmp"
unset FINN_PLUGIN_PATH
out=$("$prefix/bin/finn-run" --list-steps 2>&1) || fail "finn-run --list-steps: $out"
echo "$out" | grep -q "custom_step_add_post_proc  *examples" || fail "installed finn-run misses the examples plugin: $out"

cat > my_plugin.c <<'C'
#include <finn/plugin.h>
static int nop(finn_model **m, finn_build *b, finn_error *err)
{ (void)m; (void)b; (void)err; return 0; }
FINN_PLUGIN("oot", FINN_STEP("oot_step_nop", nop, "does nothing"))
C
# pkg-config
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
mkdir -p plugins
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC $(pkg-config --cflags finn-run) my_plugin.c \
   -o plugins/oot.so $(pkg-config --libs finn-run) || fail "pkg-config build failed"
out=$("$prefix/bin/finn-run" --describe oot_step_nop 2>&1) || fail "plugin from ./plugins not found: $out"
echo "$out" | grep -q "oot_step_nop  (plugin oot)" || fail "unexpected --describe output: $out"
rm -rf plugins

# CMake package
mkdir -p cm && cat > cm/CMakeLists.txt <<'CM'
cmake_minimum_required(VERSION 3.18)
project(oot C)
find_package(finn-run REQUIRED)
finn_run_add_plugin(oot2 ../my_plugin.c)
CM
cmake -S cm -B cm/build -DCMAKE_PREFIX_PATH="$prefix" >/dev/null || fail "find_package(finn-run) failed"
cmake --build cm/build >/dev/null || fail "CMake plugin build failed"
out=$(FINN_PLUGIN_PATH="$tmp/cm/build" "$prefix/bin/finn-run" --describe oot_step_nop 2>&1) \
    || fail "CMake-built plugin not loaded: $out"
echo "PASS"
